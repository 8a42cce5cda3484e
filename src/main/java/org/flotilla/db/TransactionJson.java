package org.flotilla.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;

/**
 * {@link Transaction}s and {@link Op}s as JSON, the payload of journal records:
 * <pre>
 * {"gen":12,"time":1763890000000,"ops":[
 *   {"op":"put","class":"VM","ref":"OpaqueRef:…","fields":{"name_label":"a",…}},
 *   {"op":"set","class":"VM","ref":"OpaqueRef:…","field":"name_label","value":"b"},
 *   {"op":"del","class":"VM","ref":"OpaqueRef:…"}]}
 * </pre>
 * Decoding follows the current datamodel: an operation on a class or field it no longer declares is
 * dropped (the database would drop it too), so a journal written by another version stays readable.
 */
public final class TransactionJson {
    private static final System.Logger LOG = System.getLogger(TransactionJson.class.getName());
    private static final JsonNodeFactory json = JsonNodeFactory.instance;

    private final ValueJson values;

    public TransactionJson(ValueJson values) { this.values = values; }

    public ObjectNode encode(Transaction tx) {
        ObjectNode o = json.objectNode();
        o.put("gen", tx.generation());
        o.put("time", tx.timeMillis());
        ArrayNode ops = o.putArray("ops");
        for (Op op : tx.ops()) ops.add(encodeOp(op));
        return o;
    }

    public ObjectNode encodeOp(Op op) {
        ObjectNode o = json.objectNode();
        ClassDef c = classDef(op.className()).orElseThrow(
                () -> new IllegalArgumentException("unknown class " + op.className()));
        switch (op) {
            case Op.Put p -> {
                o.put("op", "put");
                o.put("class", p.className());
                o.put("ref", p.ref());
                o.set("fields", values.encodeFields(c, p.fields()));
            }
            case Op.Set s -> {
                FieldDef f = c.field(s.field());
                if (f == null) throw new IllegalArgumentException("no field " + c.name() + "." + s.field());
                o.put("op", "set");
                o.put("class", s.className());
                o.put("ref", s.ref());
                o.put("field", s.field());
                o.set("value", values.encode(f.type(), s.value()));
            }
            case Op.Delete d -> {
                o.put("op", "del");
                o.put("class", d.className());
                o.put("ref", d.ref());
            }
        }
        return o;
    }

    /** The transaction; IllegalArgumentException if the JSON is not one (a damaged record). */
    public Transaction decode(JsonNode node) {
        JsonNode gen = node.get("gen");
        JsonNode time = node.get("time");
        JsonNode ops = node.get("ops");
        if (gen == null || !gen.isIntegralNumber() || time == null || !time.isIntegralNumber()
                || ops == null || !ops.isArray()) {
            throw new IllegalArgumentException("not a transaction: " + abbreviate(node));
        }
        var out = new ArrayList<Op>(ops.size());
        for (JsonNode op : ops) decodeOp(op).ifPresent(out::add);
        return new Transaction(gen.longValue(), time.longValue(), out);
    }

    /** The operation, or empty if the current datamodel has no place for it. */
    public Optional<Op> decodeOp(JsonNode node) {
        String kind = requiredText(node, "op");
        String className = requiredText(node, "class");
        String ref = requiredText(node, "ref");
        Optional<ClassDef> c = classDef(className);
        if (c.isEmpty()) {
            LOG.log(Level.WARNING, "journal: dropping an operation on " + className + ", a class no longer stored");
            return Optional.empty();
        }
        return switch (kind) {
            case "put" -> {
                JsonNode fields = node.get("fields");
                if (fields == null) throw new IllegalArgumentException("put without fields: " + abbreviate(node));
                yield Optional.of(new Op.Put(className, ref, values.decodeFields(c.get(), fields)));
            }
            case "set" -> {
                String fieldName = requiredText(node, "field");
                FieldDef f = c.get().field(fieldName);
                if (f == null || f.derived()) {
                    LOG.log(Level.WARNING, "journal: dropping a change of " + className + "." + fieldName + ", a field no longer stored");
                    yield Optional.empty();
                }
                Object value;
                try {
                    value = values.decode(f.type(), node.get("value"));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "journal: " + className + "." + fieldName + " no longer fits the declared type, using the default: "
                            + e.getMessage());
                    value = f.defaultValue();
                }
                yield Optional.of(new Op.Set(className, ref, fieldName, value == null ? f.defaultValue() : value));
            }
            case "del" -> Optional.of(new Op.Delete(className, ref));
            default -> throw new IllegalArgumentException("unknown operation " + kind);
        };
    }

    /** {"class":…,"ref":…,"field":…,"value":…}, or with "fields" for a whole record. */
    public ArrayNode encodeExpectations(List<Expectation> expected) {
        ArrayNode out = json.arrayNode();
        for (Expectation e : expected) {
            ClassDef c = classDef(e.className()).orElseThrow(() -> new IllegalArgumentException("unknown class " + e.className()));
            ObjectNode o = out.addObject().put("class", e.className()).put("ref", e.ref());
            if (e.field() != null) {
                o.put("field", e.field());
                o.set("value", values.encode(c.field(e.field()).type(), e.value()));
            } else {
                @SuppressWarnings("unchecked") var fields = (java.util.Map<String, Object>) e.value();
                o.set("fields", values.encodeFields(c, fields));
            }
        }
        return out;
    }

    /** The expectations; one on a class or field the datamodel no longer stores is dropped, as its operations are. */
    public List<Expectation> decodeExpectations(JsonNode array) {
        var out = new ArrayList<Expectation>();
        if (array == null) return out;
        for (JsonNode node : array) {
            String className = requiredText(node, "class");
            String ref = requiredText(node, "ref");
            Optional<ClassDef> c = classDef(className);
            if (c.isEmpty()) continue;
            if (node.has("field")) {
                FieldDef f = c.get().field(requiredText(node, "field"));
                if (f == null || f.derived()) continue;
                out.add(new Expectation(className, ref, f.name(), values.decode(f.type(), node.get("value"))));
            } else {
                out.add(new Expectation(className, ref, null, values.decodeFields(c.get(), node.get("fields"))));
            }
        }
        return out;
    }

    public List<Op> decodeOps(JsonNode array) {
        var out = new ArrayList<Op>(array.size());
        for (JsonNode op : array) decodeOp(op).ifPresent(out::add);
        return out;
    }

    private Optional<ClassDef> classDef(String name) {
        ClassDef c = values.model().classDef(name);
        return c != null && c.stored() ? Optional.of(c) : Optional.empty();
    }

    private static String requiredText(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException("missing \"" + key + "\": " + abbreviate(node));
        return v.textValue();
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
