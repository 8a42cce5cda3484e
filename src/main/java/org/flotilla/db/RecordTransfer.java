package org.flotilla.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Model;
import org.flotilla.model.Rec;
import org.flotilla.model.Type;

/**
 * Records of one pool's database written out for another pool's, and read in there (as XAPI's metadata export and
 * import carry a VM between pools): every stored field of the class, by its declaration, in the journal's JSON. The
 * references a record holds name objects of the pool it came from; reading, each is given to a function that says
 * what it names in the new pool, and one it names nothing there is cleared (a reference to NULL, an entry dropped from
 * a set or map) — so no field list is written by hand, and a field added to the model travels too.
 */
public final class RecordTransfer {
    private final Model model;
    private final ValueJson json;

    public RecordTransfer(Model model) {
        this.model = model;
        this.json = new ValueJson(model);
    }

    /** The record's stored fields as JSON. */
    public <C> ObjectNode write(Rec<C> record) { return json.encodeFields(classDef(record.cls()), record.values()); }

    /**
     * A record of {@code cls} from {@code fields} as {@link #write} wrote them, each reference replaced by what
     * {@code refs} maps it to (null: it names nothing here).
     */
    public <C> Rec<C> read(ApiClass<C> cls, JsonNode fields, UnaryOperator<String> refs) {
        ClassDef c = classDef(cls);
        var out = new LinkedHashMap<String, Object>();
        json.decodeFields(c, fields).forEach((name, value) -> out.put(name, remap(c.field(name).type(), value, refs)));
        return Rec.of(cls, out);
    }

    private ClassDef classDef(ApiClass<?> cls) { return model.classDef(cls.name()); }

    private static Object remap(Type type, Object value, UnaryOperator<String> refs) {
        if (value == null) return null;
        return switch (type) {
            case Type.Ref r -> {
                String to = ((String) value).equals(ClassDef.NULL_REF) ? null : refs.apply((String) value);
                yield to == null ? ClassDef.NULL_REF : to;
            }
            case Type.Set s when holdsRefs(s.element()) -> {
                var out = new ArrayList<>();
                for (Object v : (List<?>) value) {
                    Object m = remap(s.element(), v, refs);
                    if (!ClassDef.NULL_REF.equals(m)) out.add(m);
                }
                yield out;
            }
            case Type.Map m when holdsRefs(m.key()) || holdsRefs(m.value()) -> {
                var out = new LinkedHashMap<>();
                for (var e : ((Map<?, ?>) value).entrySet()) {
                    Object k = remap(m.key(), e.getKey(), refs);
                    Object v = remap(m.value(), e.getValue(), refs);
                    if (!ClassDef.NULL_REF.equals(k) && !(holdsRefs(m.value()) && ClassDef.NULL_REF.equals(v))) out.put(k, v);
                }
                yield out;
            }
            default -> value;
        };
    }

    private static boolean holdsRefs(Type t) {
        return switch (t) {
            case Type.Ref r -> true;
            case Type.Set s -> holdsRefs(s.element());
            case Type.Map m -> holdsRefs(m.key()) || holdsRefs(m.value());
            default -> false;
        };
    }
}
