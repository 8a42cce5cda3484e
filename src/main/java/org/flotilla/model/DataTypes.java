package org.flotilla.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The wire spellings of Java enums that stand for XenAPI enumerations, worked out once per enum. */
final class DataTypes {
    private DataTypes() {}

    private record Spellings(Type.Enum type, Map<String, Enum<?>> byWire, Map<Enum<?>, String> wire) {}

    private static final Map<Class<?>, Spellings> CACHE = new ConcurrentHashMap<>();

    static Type.Enum enumType(Class<? extends Enum<?>> cls) { return spellings(cls).type(); }

    static <E extends Enum<E>> E enumValue(Class<E> cls, String wire) {
        Enum<?> e = spellings(cls).byWire().get(wire);
        if (e == null) throw new IllegalArgumentException(wire + " is no value of " + spellings(cls).type().name());
        return cls.cast(e);
    }

    static String wireName(Enum<?> value) { return spellings(value.getDeclaringClass()).wire().get(value); }

    private static Spellings spellings(Class<?> cls) {
        return CACHE.computeIfAbsent(cls, c -> {
            Wire typeName = c.getAnnotation(Wire.class);
            if (typeName == null) throw new IllegalStateException(c + " lacks @Wire with its XenAPI enumeration name");
            var byWire = new HashMap<String, Enum<?>>();
            var wire = new HashMap<Enum<?>, String>();
            var values = new ArrayList<String>();
            for (Object o : c.getEnumConstants()) {
                Enum<?> e = (Enum<?>) o;
                String w;
                try {
                    Wire ann = c.getField(e.name()).getAnnotation(Wire.class);
                    w = ann == null ? e.name() : ann.value();
                } catch (NoSuchFieldException ex) {
                    throw new IllegalStateException(ex);
                }
                byWire.put(w, e);
                wire.put(e, w);
                values.add(w);
            }
            return new Spellings(new Type.Enum(typeName.value(), List.copyOf(values)), Map.copyOf(byWire), Map.copyOf(wire));
        });
    }
}
