package org.flotilla.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Model;
import org.flotilla.model.Type;

/** Values of every type that are not the type's default, with the awkward cases of each type mixed in. */
final class SampleValues {
    private static final double[] FLOATS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
            0.1, 1e-300, Double.MIN_VALUE, Double.MAX_VALUE, 12345.678};
    private static final long[] INTS = {Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 53 | 1, 42};
    private static final String[] STRINGS = {"é✓ \"quoted\" \\ \n\t\u0000 \uD83D\uDE00", "plain", "{\"json\":1}"};

    private final Model model;

    SampleValues(Model model) { this.model = model; }

    Object of(Type type, int seed) {
        return switch (type) {
            case Type.Str s -> STRINGS[seed % STRINGS.length] + seed;
            case Type.Int i -> INTS[seed % INTS.length];
            case Type.Float f -> FLOATS[seed % FLOATS.length];
            case Type.Bool b -> true;
            case Type.DateTime d -> Instant.ofEpochSecond(1_763_890_000L + seed, 123_456_789 + seed);
            case Type.Enum e -> e.values().get(e.values().size() - 1 - seed % e.values().size());
            case Type.Ref r -> "OpaqueRef:" + UUID.nameUUIDFromBytes((r.className() + seed).getBytes());
            case Type.Set s -> Collections.unmodifiableList(new ArrayList<>(List.of(of(s.element(), seed), of(s.element(), seed + 1))));
            case Type.Map m -> {
                var out = new LinkedHashMap<Object, Object>();
                out.put(of(m.key(), seed), of(m.value(), seed));
                out.put(of(m.key(), seed + 1), of(m.value(), seed + 1));
                yield Collections.unmodifiableMap(out);
            }
            case Type.Record r -> record(model.classDef(r.className()), seed);
            case Type.Any a -> "any" + seed;
            case Type.Void v -> null;
        };
    }

    /** Every stored field of the class with a sample value. */
    Map<String, Object> record(ClassDef c, int seed) {
        var out = new LinkedHashMap<String, Object>();
        int i = seed;
        for (FieldDef f : c.fields().values()) {
            if (f.derived()) continue;
            Object v = of(f.type(), i++);
            if (v instanceof Boolean b && v.equals(f.defaultValue())) v = !b; // some bools default to true
            for (int k = 1; v.equals(f.defaultValue()) && k < 4; k++) v = of(f.type(), i + k); // so do some enums
            out.put(f.name(), v);
        }
        return out;
    }

    /** A Put as the database makes it: every stored field present, missing ones at their default. */
    static Op.Put fullPut(ClassDef c, String ref, Map<String, Object> given) {
        var out = new LinkedHashMap<String, Object>();
        for (FieldDef f : c.fields().values()) {
            if (!f.derived()) out.put(f.name(), given.getOrDefault(f.name(), f.defaultValue()));
        }
        return new Op.Put(c.name(), ref, out);
    }
}
