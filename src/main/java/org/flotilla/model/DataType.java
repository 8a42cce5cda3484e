package org.flotilla.model;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A XenAPI type as Java code sees its values ({@code T}), beside the {@link Type} the wire and the database
 * know: {@link #decode} turns a stored or decoded value (strings for enums and references, lists for sets, …;
 * see {@link Type}) into {@code T}, and {@link #encode} back.
 */
public sealed interface DataType<T> {
    /** The type as the metamodel describes it. */
    Type type();

    T decode(Object stored);

    Object encode(T value);

    DataType<String> STRING = new Plain<>(Type.STRING, String.class);
    DataType<Long> INT = new Plain<>(Type.INT, Long.class);
    DataType<Double> FLOAT = new Plain<>(Type.FLOAT, Double.class);
    DataType<Boolean> BOOL = new Plain<>(Type.BOOL, Boolean.class);
    DataType<Instant> DATETIME = new Plain<>(Type.DATETIME, Instant.class);
    /** A datetime as a local clock reads it, with no zone: what XAPI answers host.get_server_localtime with. */
    DataType<LocalDateTime> LOCAL_DATETIME = new Plain<>(Type.DATETIME, LocalDateTime.class);
    /** A value of any shape, passed through as decoded. */
    DataType<Object> ANY = new Plain<>(Type.ANY, Object.class);
    DataType<Void> VOID = new Plain<>(Type.VOID, Void.class);
    DataType<List<String>> STRING_SET = setOf(STRING);
    DataType<Map<String, String>> STRING_MAP = mapOf(STRING, STRING);

    static <C> DataType<Ref<C>> ref(Class<C> cls) { return new RefType<>(cls); }

    static <E extends Enum<E> & WireEnum> DataType<E> enumOf(Class<E> cls) { return new EnumType<>(cls); }

    static <E> DataType<List<E>> setOf(DataType<E> element) { return new SetType<>(element); }

    static <K, V> DataType<Map<K, V>> mapOf(DataType<K> key, DataType<V> value) { return new MapType<>(key, value); }

    static <C> DataType<Rec<C>> record(Class<C> cls) { return new RecordType<>(cls); }

    /** Values that are stored as they are. */
    record Plain<T>(Type type, Class<T> java) implements DataType<T> {
        @Override public T decode(Object stored) { return java.cast(stored); }

        @Override public Object encode(T value) { return value; }
    }

    /** A reference: stored as its {@code OpaqueRef:…} string. */
    record RefType<C>(Class<C> cls) implements DataType<Ref<C>> {
        public ApiClass<C> target() { return ApiClass.of(cls); }

        @Override public Type type() { return Type.ref(target().name()); }

        @Override public Ref<C> decode(Object stored) { return target().ref((String) stored); }

        @Override public Object encode(Ref<C> value) { return value.value(); }
    }

    /** An enumeration: stored as the value's wire spelling. */
    record EnumType<E extends Enum<E> & WireEnum>(Class<E> cls) implements DataType<E> {
        @Override public Type type() { return DataTypes.enumType(cls); }

        @Override public E decode(Object stored) { return DataTypes.enumValue(cls, (String) stored); }

        @Override public Object encode(E value) { return value.wire(); }
    }

    /** A set: stored as a list. */
    record SetType<E>(DataType<E> element) implements DataType<List<E>> {
        @Override public Type type() { return Type.setOf(element.type()); }

        @Override
        public List<E> decode(Object stored) {
            List<?> in = (List<?>) stored;
            var out = new ArrayList<E>(in.size());
            for (Object o : in) out.add(element.decode(o));
            return Collections.unmodifiableList(out);
        }

        @Override
        public Object encode(List<E> value) {
            var out = new ArrayList<>(value.size());
            for (E e : value) out.add(element.encode(e));
            return Collections.unmodifiableList(out);
        }
    }

    /** A map: stored as an ordered map of the keys' and values' stored forms. */
    record MapType<K, V>(DataType<K> key, DataType<V> value) implements DataType<Map<K, V>> {
        @Override public Type type() { return Type.mapOf(key.type(), value.type()); }

        @Override
        public Map<K, V> decode(Object stored) {
            Map<?, ?> in = (Map<?, ?>) stored;
            var out = new LinkedHashMap<K, V>();
            in.forEach((k, v) -> out.put(key.decode(k), value.decode(v)));
            return Collections.unmodifiableMap(out);
        }

        @Override
        public Object encode(Map<K, V> m) {
            var out = new LinkedHashMap<Object, Object>();
            m.forEach((k, v) -> out.put(key.encode(k), value.encode(v)));
            return Collections.unmodifiableMap(out);
        }
    }

    /** A whole object of a class (get_record, create's argument): stored as a map of field values. */
    record RecordType<C>(Class<C> cls) implements DataType<Rec<C>> {
        @Override public Type type() { return Type.record(ApiClass.of(cls).name()); }

        @Override
        @SuppressWarnings("unchecked")
        public Rec<C> decode(Object stored) { return Rec.of(ApiClass.of(cls), (Map<String, Object>) stored); }

        @Override public Object encode(Rec<C> value) { return value.values(); }
    }
}
