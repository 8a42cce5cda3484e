package org.flotilla.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole record of class {@code C} — as create takes it and get_record gives it — read and written through the
 * class's typed fields. It holds the values as stored (see {@link Type}).
 */
public final class Rec<C> {
    private final ApiClass<C> cls;
    private final LinkedHashMap<String, Object> values;

    private Rec(ApiClass<C> cls, Map<String, Object> values) {
        this.cls = cls;
        this.values = new LinkedHashMap<>(values);
    }

    /** A record holding {@code values}, as stored. */
    public static <C> Rec<C> of(ApiClass<C> cls, Map<String, Object> values) { return new Rec<>(cls, values); }

    /** An empty record, to be filled. */
    public static <C> Rec<C> empty(ApiClass<C> cls) { return new Rec<>(cls, Map.of()); }

    public ApiClass<C> cls() { return cls; }

    public <T> T get(Field<C, T> f) { return f.decode(values.get(f.name())); }

    public boolean has(Member<C> f) { return values.containsKey(f.name()); }

    public <T> Rec<C> set(Field<C, T> f, T value) {
        values.put(f.name(), f.encode(value));
        return this;
    }

    public Rec<C> remove(Member<C> f) {
        values.remove(f.name());
        return this;
    }

    /** The values as stored, by field name. */
    public Map<String, Object> values() { return Collections.unmodifiableMap(values); }

    @Override
    public String toString() { return cls.name() + values; }
}
