package org.flotilla.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.System.Logger.Level;
import java.time.Instant;
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
 * Typed values (in the Java mapping documented on {@link Type}) to JSON and back, exactly: what is
 * decoded equals what was encoded. The journal's format on disk, so decoding is lenient where a
 * datamodel change could otherwise make an old journal unreadable (see {@link #decodeFields}).
 *
 * <ul>
 *   <li>string, enum, ref → text; int → integral number; bool → boolean
 *   <li>float → number, or the text "NaN", "Infinity", "-Infinity" that JSON numbers cannot hold
 *   <li>datetime → ISO-8601 text as {@link Instant#toString()} writes it (nanosecond precision)
 *   <li>set → array
 *   <li>map with string, enum or ref keys → object; with other keys (int) → array of [key, value]
 *       pairs, so that a key keeps its type. Both forms are read for any key type.
 *   <li>record → object by field name
 *   <li>any → the natural JSON shape (not exact: only used for values never stored)
 * </ul>
 */
public final class ValueJson {
    private static final System.Logger LOG = System.getLogger(ValueJson.class.getName());
    private static final JsonNodeFactory json = JsonNodeFactory.instance;

    private final Model model;

    public ValueJson(Model model) { this.model = model; }

    public Model model() { return model; }

    /** Whether two values of a type are the same once written: what a group's members compare, whoever decoded them. */
    public boolean same(Type type, Object a, Object b) {
        if (java.util.Objects.equals(a, b)) return true;
        if (a == null || b == null) return false;
        return encode(type, a).equals(encode(type, b));
    }

    // ---- encoding ---------------------------------------------------------------------------

    public JsonNode encode(Type type, Object value) {
        if (value == null) return json.nullNode();
        return switch (type) {
            case Type.Str s -> json.textNode((String) value);
            case Type.Enum e -> json.textNode((String) value);
            case Type.Ref r -> json.textNode((String) value);
            case Type.Int i -> json.numberNode(((Number) value).longValue());
            case Type.Float f -> encodeFloat(((Number) value).doubleValue());
            case Type.Bool b -> json.booleanNode((Boolean) value);
            case Type.DateTime d -> json.textNode(((Instant) value).toString());
            case Type.Set s -> {
                ArrayNode a = json.arrayNode();
                for (Object v : (List<?>) value) a.add(encode(s.element(), v));
                yield a;
            }
            case Type.Map m -> encodeMap(m, (Map<?, ?>) value);
            case Type.Record r -> encodeFields(classDef(r.className()), asFields(value));
            case Type.Any a -> encodeAny(value);
            case Type.Void v -> json.nullNode();
        };
    }

    /** Every given field the class declares, typed by its declaration; derived sets are left out. */
    public ObjectNode encodeFields(ClassDef c, Map<String, Object> fields) {
        ObjectNode o = json.objectNode();
        for (var e : fields.entrySet()) {
            FieldDef f = c.field(e.getKey());
            if (f == null) throw new IllegalArgumentException("no field " + c.name() + "." + e.getKey());
            if (f.derived()) continue;
            o.set(e.getKey(), encode(f.type(), e.getValue()));
        }
        return o;
    }

    private static JsonNode encodeFloat(double d) {
        // JSON has no NaN or infinities; XAPI floats (e.g. metrics) can hold them.
        if (Double.isNaN(d)) return json.textNode("NaN");
        if (Double.isInfinite(d)) return json.textNode(d > 0 ? "Infinity" : "-Infinity");
        return json.numberNode(d);
    }

    private JsonNode encodeMap(Type.Map m, Map<?, ?> map) {
        if (hasTextForm(m.key())) {
            ObjectNode o = json.objectNode();
            for (var e : map.entrySet()) o.set((String) e.getKey(), encode(m.value(), e.getValue()));
            return o;
        }
        ArrayNode pairs = json.arrayNode();
        for (var e : map.entrySet()) {
            pairs.add(json.arrayNode().add(encode(m.key(), e.getKey())).add(encode(m.value(), e.getValue())));
        }
        return pairs;
    }

    private static boolean hasTextForm(Type key) {
        return key instanceof Type.Str || key instanceof Type.Enum || key instanceof Type.Ref;
    }

    private JsonNode encodeAny(Object value) {
        return switch (value) {
            case String s -> json.textNode(s);
            case Long l -> json.numberNode(l);
            case Integer i -> json.numberNode(i.longValue());
            case Double d -> encodeFloat(d);
            case Boolean b -> json.booleanNode(b);
            case Instant t -> json.textNode(t.toString());
            case List<?> l -> {
                ArrayNode a = json.arrayNode();
                for (Object v : l) a.add(encodeAny(v));
                yield a;
            }
            case Map<?, ?> m -> {
                ObjectNode o = json.objectNode();
                for (var e : m.entrySet()) o.set(String.valueOf(e.getKey()), encodeAny(e.getValue()));
                yield o;
            }
            default -> json.textNode(value.toString());
        };
    }

    // ---- decoding ---------------------------------------------------------------------------

    /** The value of {@code type} that {@code node} holds; IllegalArgumentException if it holds none. */
    public Object decode(Type type, JsonNode node) {
        if (node == null || node.isNull()) return null;
        return switch (type) {
            case Type.Str s -> text(node, type);
            case Type.Enum e -> text(node, type);
            case Type.Ref r -> text(node, type);
            case Type.Int i -> decodeInt(node);
            case Type.Float f -> decodeFloat(node);
            case Type.Bool b -> {
                if (!node.isBoolean()) throw mismatch(type, node);
                yield node.booleanValue();
            }
            case Type.DateTime d -> {
                try { yield Instant.parse(text(node, type)); }
                catch (DateTimeParseException e) { throw mismatch(type, node); }
            }
            case Type.Set s -> {
                if (!node.isArray()) throw mismatch(type, node);
                var out = new ArrayList<Object>(node.size());
                for (JsonNode v : node) out.add(decode(s.element(), v));
                yield Collections.unmodifiableList(out);
            }
            case Type.Map m -> decodeMap(m, node);
            case Type.Record r -> decodeFields(classDef(r.className()), node);
            case Type.Any a -> decodeAny(node);
            case Type.Void v -> null;
        };
    }

    /**
     * A stored object's fields as the current datamodel declares them: a field the JSON lacks takes
     * its default, a field the model no longer declares is skipped, and a value that no longer fits
     * its field's type falls back to the default. An old journal stays readable across model changes.
     */
    public Map<String, Object> decodeFields(ClassDef c, JsonNode node) {
        if (!node.isObject()) throw mismatch(Type.record(c.name()), node);
        var out = new LinkedHashMap<String, Object>();
        for (FieldDef f : c.fields().values()) {
            if (f.derived()) continue;
            JsonNode v = node.get(f.name());
            Object value = null;
            if (v != null) {
                try {
                    value = decode(f.type(), v);
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, c.name() + "." + f.name() + ": stored value no longer fits the declared type, using the default: "
                            + e.getMessage());
                }
            }
            out.put(f.name(), value != null ? value : f.defaultValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static String text(JsonNode node, Type type) {
        if (!node.isTextual()) throw mismatch(type, node);
        return node.textValue();
    }

    private static long decodeInt(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) return node.longValue();
        if (node.isTextual()) { // a map key in object form
            try { return Long.parseLong(node.textValue()); } catch (NumberFormatException e) { /* below */ }
        }
        throw mismatch(Type.INT, node);
    }

    private static double decodeFloat(JsonNode node) {
        if (node.isNumber()) return node.doubleValue();
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN" -> { return Double.NaN; }
                case "Infinity" -> { return Double.POSITIVE_INFINITY; }
                case "-Infinity" -> { return Double.NEGATIVE_INFINITY; }
                default -> {
                    try { return Double.parseDouble(node.textValue()); } catch (NumberFormatException e) { /* below */ }
                }
            }
        }
        throw mismatch(Type.FLOAT, node);
    }

    private Map<Object, Object> decodeMap(Type.Map m, JsonNode node) {
        var out = new LinkedHashMap<Object, Object>();
        if (node.isObject()) {
            for (var e : node.properties()) {
                out.put(decode(m.key(), json.textNode(e.getKey())), decode(m.value(), e.getValue()));
            }
        } else if (node.isArray()) {
            for (JsonNode pair : node) {
                if (!pair.isArray() || pair.size() != 2) throw mismatch(m, node);
                out.put(decode(m.key(), pair.get(0)), decode(m.value(), pair.get(1)));
            }
        } else {
            throw mismatch(m, node);
        }
        return Collections.unmodifiableMap(out);
    }

    private Object decodeAny(JsonNode node) {
        if (node.isTextual()) return node.textValue();
        if (node.isIntegralNumber()) return node.longValue();
        if (node.isNumber()) return node.doubleValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isArray()) {
            var out = new ArrayList<Object>(node.size());
            for (JsonNode v : node) out.add(decodeAny(v));
            return Collections.unmodifiableList(out);
        }
        if (node.isObject()) {
            var out = new LinkedHashMap<String, Object>();
            for (var e : node.properties()) out.put(e.getKey(), decodeAny(e.getValue()));
            return Collections.unmodifiableMap(out);
        }
        return null;
    }

    private ClassDef classDef(String name) {
        ClassDef c = model.classDef(name);
        if (c == null) throw new IllegalArgumentException("unknown class " + name);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asFields(Object value) { return (Map<String, Object>) value; }

    private static IllegalArgumentException mismatch(Type type, JsonNode node) {
        String shown = node.toString();
        if (shown.length() > 80) shown = shown.substring(0, 80) + "...";
        return new IllegalArgumentException("expected " + type.describe() + ", found " + shown);
    }
}
