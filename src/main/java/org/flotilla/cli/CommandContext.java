package org.flotilla.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Type;

/** What a running command works with: the session, the classes of the model, and value formatting. */
final class CommandContext {
    private final XenApiSession api;
    private final CliClasses classes;
    private final RefUuids refs;
    private final ValueText text;

    private final ClientEnd consoles;
    private final Map<String, Object> remoteValues = new HashMap<>();

    CommandContext(XenApiSession api, CliClasses classes) { this(api, classes, ClientEnd.NONE); }

    CommandContext(XenApiSession api, CliClasses classes, ClientEnd consoles) {
        this.api = api;
        this.classes = classes;
        this.consoles = consoles;
        this.refs = new RefUuids(api);
        this.text = new ValueText(refs);
    }

    XenApiSession api() { return api; }

    /** Where a console's text can be read from, when xe talks to a real host. */
    ClientEnd consoles() { return consoles; }

    CliClasses classes() { return classes; }

    ValueText text() { return text; }

    /** One object of a class by uuid; an unknown uuid fails as the server says (UUID_INVALID). */
    ObjectRecord byUuid(CliClass cls, String uuid) {
        String ref = api.refByUuid(cls.def().name(), uuid);
        Map<String, Object> record = api.record(cls.def().name(), ref);
        refs.learn(ref, record);
        return new ObjectRecord(cls, ref, record);
    }

    /** Every object of a class, in the server's order. */
    List<ObjectRecord> all(CliClass cls) {
        List<ObjectRecord> out = new ArrayList<>();
        for (var e : new LinkedHashMap<>(api.allRecords(cls.def().name())).entrySet()) {
            refs.learn(e.getKey(), e.getValue());
            out.add(new ObjectRecord(cls, e.getKey(), e.getValue()));
        }
        return out;
    }

    /** A field's value printed, or xe's "<invalid reference>" if a reference in it has gone. */
    String show(ObjectRecord o, CliField f) {
        try {
            Object value = o.record().get(f.field().name());
            if (f.remote() != null) return remote(f, value);
            if (f.showsValuesOnly() && value instanceof Map<?, ?> m) value = List.copyOf(m.values());
            return text.format(f.showsValuesOnly() ? Type.STRING_SET : f.type(), value);
        } catch (ApiError e) {
            if (e.code().equals("HANDLE_INVALID")) return "<invalid reference>";
            throw e;
        }
    }

    /** A field of the object a reference names, asked of the server once per object and field. */
    private String remote(CliField f, Object ref) {
        if (!(ref instanceof String r) || r.isEmpty() || r.equals(ClassDef.NULL_REF)) return RefUuids.NOT_IN_DATABASE;
        String target = ((Type.Ref) f.field().type()).className();
        Object value = remoteValues.computeIfAbsent(r + " " + f.remote().name(),
                k -> api.call(target + ".get_" + f.remote().name(), r));
        return text.format(f.remote().type(), value);
    }
}
