package org.flotilla.db;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Memo;
import org.flotilla.model.Ref;

/**
 * An object of class {@code C} as stored: its stored fields (derived relation sets are not stored) and the
 * generations at which it was created and last changed, which event.from compares against a token. Code reads
 * it through the class's typed fields: {@code vm.get(VM.power_state)}.
 *
 * <p>One instance is one version of the object: the database replaces it on every change to the object's record,
 * its derived sets included, so the {@code memo} (what the codecs made of this version's record) is never stale.
 */
public record DbObject<C>(String className, String ref, Map<String, Object> fields, long createdGen, long modifiedGen, Memo memo) {

    public DbObject(String className, String ref, Map<String, Object> fields, long createdGen, long modifiedGen) {
        this(className, ref, fields, createdGen, modifiedGen, new Memo());
    }

    /** A field's value. */
    public <T> T get(Field<C, T> field) { return field.decode(fields.get(field.name())); }

    /** This object's reference, knowing its class. */
    public Ref<C> self(ApiClass<C> cls) {
        if (!cls.name().equals(className)) throw new IllegalArgumentException(ref + " is a " + className + ", not a " + cls.name());
        return cls.ref(ref);
    }

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
