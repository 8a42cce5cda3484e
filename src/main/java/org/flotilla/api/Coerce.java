package org.flotilla.api;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Model;
import org.flotilla.model.Type;

/**
 * Turns decoded wire values into values of a declared type. Clients send ints as strings as often as
 * typed, enums in any case, and XML-RPC has no null: all of that is accepted, anything else is a
 * FIELD_TYPE_ERROR naming the parameter.
 */
public final class Coerce {
    private static final DateTimeFormatter XAPI_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm:ss");

    private final Model model;

    public Coerce(Model model) { this.model = model; }

    public static final class Mismatch extends RuntimeException {
        Mismatch() { super(null, null, false, false); }
    }

    public Object to(Type type, Object raw) {
        return switch (type) {
            case Type.Str s -> raw instanceof String str ? str : scalarString(raw);
            case Type.Int i -> integer(raw);
            case Type.Float f -> switch (raw) {
                case Double d -> d;
                case Long l -> l.doubleValue();
                case String s -> parse(() -> Double.parseDouble(s.trim()));
                default -> throw new Mismatch();
            };
            case Type.Bool b -> switch (raw) {
                case Boolean v -> v;
                case String s when s.equalsIgnoreCase("true") || s.equals("1") -> true;
                case String s when s.equalsIgnoreCase("false") || s.equals("0") -> false;
                case Long l when l == 0 || l == 1 -> l == 1;
                default -> throw new Mismatch();
            };
            case Type.DateTime d -> switch (raw) {
                case Instant t -> t;
                case String s -> parseDate(s);
                default -> throw new Mismatch();
            };
            case Type.Enum e -> {
                if (!(raw instanceof String s)) throw new Mismatch();
                for (String v : e.values()) if (v.equalsIgnoreCase(s)) yield v;
                throw new Mismatch();
            }
            case Type.Ref r -> {
                if (!(raw instanceof String s)) throw new Mismatch();
                yield s.isEmpty() ? ClassDef.NULL_REF : s;
            }
            case Type.Set s -> {
                if (!(raw instanceof List<?> l)) throw new Mismatch();
                var out = new ArrayList<>(l.size());
                for (Object o : l) out.add(to(s.element(), o));
                yield Collections.unmodifiableList(out);
            }
            case Type.Map m -> {
                if (!(raw instanceof Map<?, ?> in)) throw new Mismatch();
                var out = new LinkedHashMap<Object, Object>();
                for (var e : in.entrySet()) out.put(to(m.key(), e.getKey()), to(m.value(), e.getValue()));
                yield Collections.unmodifiableMap(out);
            }
            case Type.Record r -> record(model.classDef(r.className()), raw);
            case Type.Any a -> raw;
            case Type.Void v -> raw;
        };
    }

    /** The fields a record names, typed; fields it does not name are left out. */
    public Map<String, Object> record(ClassDef c, Object raw) {
        if (!(raw instanceof Map<?, ?> in)) throw new Mismatch();
        var out = new LinkedHashMap<String, Object>();
        for (var e : in.entrySet()) {
            FieldDef f = c.field(String.valueOf(e.getKey()));
            if (f == null || f.derived()) continue; // XAPI ignores what a constructor does not take
            out.put(f.name(), to(f.type(), e.getValue()));
        }
        return out;
    }

    private static String scalarString(Object raw) {
        return switch (raw) {
            case Long l -> l.toString();
            case Double d -> d.toString();
            case Boolean b -> b.toString();
            default -> throw new Mismatch();
        };
    }

    private static Long integer(Object raw) {
        return switch (raw) {
            case Long l -> l;
            case Double d when d == Math.rint(d) -> d.longValue();
            case String s -> parse(() -> Long.parseLong(s.trim()));
            default -> throw new Mismatch();
        };
    }

    public static Instant parseDate(String s) {
        String t = s.trim();
        try {
            if (t.matches("\\d{8}T\\d{2}:\\d{2}:\\d{2}Z?")) {
                return LocalDateTime.parse(t.replace("Z", ""), XAPI_DATE).toInstant(ZoneOffset.UTC);
            }
            if (t.matches("-?\\d+(\\.\\d+)?")) return Instant.ofEpochMilli((long) (Double.parseDouble(t) * 1000));
            return Instant.parse(t.endsWith("Z") || t.contains("+") ? t : t + "Z");
        } catch (DateTimeParseException e) {
            throw new Mismatch();
        }
    }

    private static <T> T parse(java.util.function.Supplier<T> p) {
        try { return p.get(); } catch (NumberFormatException e) { throw new Mismatch(); }
    }
}
