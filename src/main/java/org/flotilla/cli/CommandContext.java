package org.flotilla.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;

/** What a running command works with: the session, the classes of the model, and value formatting. */
final class CommandContext {
    private final XenApiSession api;
    private final CliClasses classes;
    private final RefUuids refs;
    private final ValueText text;

    private final ConsoleStream consoles;

    CommandContext(XenApiSession api, CliClasses classes) { this(api, classes, ConsoleStream.NONE); }

    CommandContext(XenApiSession api, CliClasses classes, ConsoleStream consoles) {
        this.api = api;
        this.classes = classes;
        this.consoles = consoles;
        this.refs = new RefUuids(api);
        this.text = new ValueText(refs);
    }

    XenApiSession api() { return api; }

    /** Where a console's text can be read from, when xe talks to a real host. */
    ConsoleStream consoles() { return consoles; }

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
            return text.format(f.field().type(), o.record().get(f.field().name()));
        } catch (ApiError e) {
            if (e.code().equals("HANDLE_INVALID")) return "<invalid reference>";
            throw e;
        }
    }
}
