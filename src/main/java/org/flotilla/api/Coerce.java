package org.flotilla.api;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Model;
import org.flotilla.model.Type;
import org.flotilla.model.XapiDateTime;

/**
 * Turns decoded wire values into values of a declared type, exactly as leniently as XAPI's unmarshalling
 * (ocaml-rpc's {@code *_of_rpc}): int64 and float take numbers or numeric strings, since XML-RPC carries int64 as
 * strings and JSON-RPC clients send numbers; datetimes take strings; enums any case. Everything else must be
 * of its own type: a number or boolean where a string is declared, a string where a bool is, a float where an int
 * is are refused with the INTERNAL_ERROR XAPI answers ({@link Mismatch#error()}).
 */
public final class Coerce {
    private final Model model;

    public Coerce(Model model) { this.model = model; }

    /** A value that is not of its declared type; {@link #getMessage()} is XAPI's wording of it. */
    public static final class Mismatch extends RuntimeException {
        Mismatch(String xapiText) { super(xapiText, null, false, false); }

        /** What XAPI answers: INTERNAL_ERROR with the exception its unmarshaller raised. */
        public ApiError error() { return ApiError.internal(getMessage()); }
    }

    public Object to(Type type, Object raw) {
        return switch (type) {
            case Type.Str s -> {
                if (raw instanceof String str) yield str;
                throw expected("string", raw);
            }
            case Type.Int i -> integer(raw);
            case Type.Float f -> switch (raw) {
                case Double d -> d;
                case Long l -> l.doubleValue();
                case Integer n -> n.doubleValue();
                case String s -> ocamlFloat(s);
                case null, default -> throw expected("float", raw);
            };
            case Type.Bool b -> {
                if (raw instanceof Boolean v) yield v;
                throw expected("bool", raw);
            }
            case Type.DateTime d -> switch (raw) {
                case java.time.Instant t -> t;
                case String s -> {
                    try {
                        yield XapiDateTime.parse(s);
                    } catch (IllegalArgumentException e) {
                        throw new Mismatch("Invalid argument: Clock__Date.of_iso8601: " + s);
                    }
                }
                case null, default -> throw failure("Date.t_of_rpc");
            };
            case Type.Enum e -> {
                if (raw instanceof String s) for (String v : e.values()) if (v.equalsIgnoreCase(s)) yield v;
                throw failure("Unknown tag/contents");
            }
            case Type.Ref r -> {
                if (!(raw instanceof String s)) throw expected("string", raw);
                yield s.isEmpty() ? ClassDef.NULL_REF : s;
            }
            case Type.Set s -> {
                if (!(raw instanceof List<?> l)) throw failure("Expecting Rpc.Enum, but found '" + RpcText.of(raw) + "'");
                var out = new ArrayList<>(l.size());
                for (Object o : l) out.add(to(s.element(), o));
                yield Collections.unmodifiableList(out);
            }
            case Type.Map m -> {
                if (!(raw instanceof Map<?, ?> in)) throw failure("Expecting Rpc.Dict, but found '" + RpcText.of(raw) + "'");
                var out = new LinkedHashMap<Object, Object>();
                // keys are strings on the wire whatever their type; an in-process caller's typed keys read as the wire would carry them
                for (var e : in.entrySet()) out.put(to(m.key(), String.valueOf(e.getKey())), to(m.value(), e.getValue()));
                yield Collections.unmodifiableMap(out);
            }
            case Type.Record r -> record(model.classDef(r.className()), raw);
            case Type.Any a -> raw;
            case Type.Void v -> raw;
        };
    }

    /** The fields a record names, typed; fields it does not name are left out. */
    public Map<String, Object> record(ClassDef c, Object raw) {
        if (!(raw instanceof Map<?, ?> in)) throw failure("bad __structure");
        var out = new LinkedHashMap<String, Object>();
        // in declaration order, as XAPI's constructors read them: the first wrong field is the one reported
        for (FieldDef f : c.fields().values()) {
            if (f.derived() || !in.containsKey(f.name())) continue; // XAPI ignores what a constructor does not take
            out.put(f.name(), to(f.type(), in.get(f.name())));
        }
        return out;
    }

    private static Long integer(Object raw) {
        return switch (raw) {
            case Long l -> l;
            case Integer n -> n.longValue();
            case String s -> ocamlInt64(s);
            case null, default -> throw expected("int64", raw);
        };
    }

    /** OCaml's {@code Int64.of_string}: a sign, then decimal, or 0x/0o/0b/0u digits, with underscores after the first. */
    private static final Pattern INT64 = Pattern.compile(
            "([+-]?)(?:0([xX])([0-9a-fA-F][0-9a-fA-F_]*)|0([oO])([0-7][0-7_]*)|0([bB])([01][01_]*)|0([uU])([0-9][0-9_]*)|([0-9][0-9_]*))");
    private static final BigInteger UNSIGNED_LIMIT = BigInteger.ONE.shiftLeft(64);

    private static long ocamlInt64(String s) {
        var m = INT64.matcher(s);
        if (!m.matches()) throw failure("Int64.of_string");
        boolean negative = m.group(1).equals("-");
        if (m.group(10) != null) { // plain decimal: signed, within int64
            var v = new BigInteger(m.group(10).replace("_", ""));
            if (negative) v = v.negate();
            if (v.bitLength() > 63) throw failure("Int64.of_string");
            return v.longValue();
        }
        int radix = m.group(2) != null ? 16 : m.group(4) != null ? 8 : m.group(6) != null ? 2 : 10;
        String digits = m.group(3) != null ? m.group(3) : m.group(5) != null ? m.group(5) : m.group(7) != null ? m.group(7) : m.group(9);
        var v = new BigInteger(digits.replace("_", ""), radix);
        if (v.compareTo(UNSIGNED_LIMIT) >= 0) throw failure("Int64.of_string");
        long bits = v.longValue(); // these bases read all 64 bits, as OCaml's do
        return negative ? -bits : bits;
    }

    /** OCaml's {@code float_of_string}: strtod's forms (leading blanks, inf, nan, hexadecimal), underscores ignored, nothing after. */
    private static final Pattern FLOAT = Pattern.compile(
            "[ \\t\\n\\x0B\\f\\r]*[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?i:inf|infinity|nan))");

    private static double ocamlFloat(String s) {
        String t = s.replace("_", "");
        if (!FLOAT.matcher(t).matches()) throw failure("float_of_string");
        String u = t.strip().toLowerCase(java.util.Locale.ROOT);
        String unsigned = u.startsWith("-") || u.startsWith("+") ? u.substring(1) : u;
        double sign = u.startsWith("-") ? -1 : 1;
        if (unsigned.startsWith("inf")) return sign * Double.POSITIVE_INFINITY;
        if (unsigned.equals("nan")) return Double.NaN;
        if (unsigned.startsWith("0x") && !unsigned.contains("p")) u = u + "p0"; // Java wants the binary exponent C allows to omit
        return Double.parseDouble(u);
    }

    private static Mismatch expected(String type, Object raw) {
        return failure("Expected " + type + ", got '" + RpcText.of(raw) + "'");
    }

    private static Mismatch failure(String message) { return new Mismatch(RpcText.failure(message)); }
}
