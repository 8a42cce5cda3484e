package org.flotilla.storage;

import org.flotilla.db.Database;

/** The set_ messages of SR, PBD and VDI that write one field and nothing else. */
final class FieldSetter {
    private FieldSetter() {}

    /** Writes the field; returns null, the result of a void message. */
    static Object set(Database db, String cls, String ref, String field, Object value) {
        db.write(tx -> tx.set(cls, ref, field, value));
        return null;
    }
}
