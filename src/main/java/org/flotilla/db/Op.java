package org.flotilla.db;

import java.util.Map;

/**
 * One change to the database. Operations carry every decision already made (new refs, uuids,
 * timestamps), so that applying them in order, now or on replay after a crash, gives the same state.
 */
public sealed interface Op {
    String className();

    String ref();

    /** Creates the object, or replaces it whole. {@code fields} holds every stored field. */
    record Put(String className, String ref, Map<String, Object> fields) implements Op {
        public Put { fields = Map.copyOf(fields); }
    }

    /** Sets one stored field of an existing object. */
    record Set(String className, String ref, String field, Object value) implements Op {}

    /** Removes the object. */
    record Delete(String className, String ref) implements Op {}
}
