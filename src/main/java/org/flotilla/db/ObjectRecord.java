package org.flotilla.db;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Memo;

/**
 * One version of a stored object's record as clients see it, read-only: every declared field in order, derived sets
 * included. A view of the stored object, built into no map of its own: get_all_records mostly does not read it at
 * all, since the codecs find their encoding of this version in its {@link Memo} and copy it.
 */
public final class ObjectRecord extends AbstractMap<String, Object> implements Memo.Holder {
    private final ClassDef cls;
    private final DbObject<?> object;
    private final List<FieldDef> derivedFields;
    /** The derived sets, in the order of {@link #derivedFields}, as they were when the object was read (under the database's lock). */
    private final List<?>[] derived;

    ObjectRecord(ClassDef cls, DbObject<?> object, List<FieldDef> derivedFields, List<?>[] derived) {
        this.cls = cls;
        this.object = object;
        this.derivedFields = derivedFields;
        this.derived = derived;
    }

    @Override
    public Memo memo() { return object.memo(); }

    @Override
    public Object get(Object key) {
        FieldDef f = key instanceof String name ? cls.field(name) : null;
        if (f == null) return null;
        return f.derived() ? derived[derivedFields.indexOf(f)] : object.fields().get(f.name());
    }

    @Override
    public boolean containsKey(Object key) { return key instanceof String name && cls.hasField(name); }

    @Override
    public int size() { return cls.fields().size(); }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() { return cls.fields().size(); }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                var fields = cls.fields().values().iterator();
                return new Iterator<>() {
                    private int nextDerived;

                    @Override
                    public boolean hasNext() { return fields.hasNext(); }

                    @Override
                    public Entry<String, Object> next() {
                        FieldDef f = fields.next();
                        Object value = f.derived() ? derived[nextDerived++] : object.fields().get(f.name());
                        return new SimpleImmutableEntry<>(f.name(), value);
                    }
                };
            }
        };
    }
}
