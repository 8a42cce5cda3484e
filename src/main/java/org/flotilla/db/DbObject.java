package org.flotilla.db;

import java.util.Map;

/**
 * An object as stored: its stored fields (derived relation sets are not stored) and the generations
 * at which it was created and last changed, which event.from compares against a token.
 */
public record DbObject(String className, String ref, Map<String, Object> fields, long createdGen, long modifiedGen) {

    public Object get(String field) { return fields.get(field); }

    public String string(String field) { return (String) fields.get(field); }

    public long integer(String field) { return (Long) fields.get(field); }

    public boolean bool(String field) { return (Boolean) fields.get(field); }

    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> map(String field) { return (Map<K, V>) fields.get(field); }

    @SuppressWarnings("unchecked")
    public <T> java.util.List<T> set(String field) { return (java.util.List<T>) fields.get(field); }

    public String uuid() { return string("uuid"); }
}
