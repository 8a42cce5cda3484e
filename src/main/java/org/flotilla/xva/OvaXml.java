package org.flotilla.xva;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.wire.WireFormatException;
import org.flotilla.wire.XmlRpc;

/**
 * An XVA's ova.xml as XAPI writes it (export.ml): one XML-RPC struct of {@code version} (who exported it, and
 * {@code export_vsn}) and {@code objects}, each {@code {class, id, snapshot}} where snapshot is the object's record and
 * every reference between the exported objects is written as the other object's id ({@code Ref:N}).
 */
record OvaXml(Map<String, Object> version, List<Obj> objects) {
    static final String NAME = "ova.xml";
    /** XAPI's export.ml: the export format this reader and writer speak. */
    static final int EXPORT_VSN = 2;
    /** An ova.xml larger than this is refused before it is read: it holds records, not data. */
    static final int MAX_BYTES = 32 << 20;

    /** One exported object: its class, its id in the package, its record with references as ids. */
    record Obj(String cls, String id, Map<String, Object> snapshot) {}

    List<Obj> of(String cls) { return objects.stream().filter(o -> o.cls.equals(cls)).toList(); }

    byte[] write() {
        var objs = new ArrayList<Object>();
        for (Obj o : objects) {
            var m = new LinkedHashMap<String, Object>();
            m.put("class", o.cls);
            m.put("id", o.id);
            m.put("snapshot", o.snapshot);
            objs.add(m);
        }
        var top = new LinkedHashMap<String, Object>();
        top.put("version", version);
        top.put("objects", objs);
        return XmlRpc.writeDocument(top);
    }

    /** Reads an ova.xml; anything not shaped as XAPI writes it is IMPORT_ERROR. */
    static OvaXml read(byte[] xml) {
        Object v;
        try {
            v = XmlRpc.parseValue(xml);
        } catch (WireFormatException e) {
            throw ApiError.of("IMPORT_ERROR", "ova.xml: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?> top) || !(top.get("objects") instanceof List<?> objs)) throw ApiError.of("IMPORT_ERROR", "ova.xml has no objects");
        var version = top.get("version") instanceof Map<?, ?> m ? strings(m) : Map.<String, Object>of();
        var out = new ArrayList<Obj>();
        for (Object o : objs) {
            if (!(o instanceof Map<?, ?> obj) || !(obj.get("class") instanceof String cls) || !(obj.get("id") instanceof String id)
                    || !(obj.get("snapshot") instanceof Map<?, ?> snapshot)) {
                throw ApiError.of("IMPORT_ERROR", "ova.xml: an object without class, id and snapshot");
            }
            out.add(new Obj(cls, id, strings(snapshot)));
        }
        return new OvaXml(version, out);
    }

    private static Map<String, Object> strings(Map<?, ?> m) {
        var out = new LinkedHashMap<String, Object>();
        m.forEach((k, val) -> out.put(String.valueOf(k), val));
        return out;
    }
}
