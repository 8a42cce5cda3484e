package org.flotilla.model;

import java.util.stream.Collectors;

/** The API reference, written from the model: every class, field, message and error. */
public final class ApiDocs {
    private ApiDocs() {}

    public static String markdown(Model model) {
        var out = new StringBuilder("# The XenAPI as Flotilla serves it\n\n");
        out.append("Generated from the datamodel declaration. Every message takes a session reference first ")
           .append("unless marked *no session*; messages marked *async* also exist as `Async.<Class>.<message>`, ")
           .append("returning a task.\n\n## Classes\n\n");
        for (ClassDef c : model.classes()) out.append("- [").append(c.name()).append("](#class-").append(c.name().toLowerCase()).append(")\n");
        for (ClassDef c : model.classes()) {
            out.append("\n## Class ").append(c.name()).append("\n\n");
            if (!c.doc().isEmpty()) out.append(c.doc()).append("\n\n");
            if (!c.stored()) out.append("A shape of value only: no objects of this class are stored.\n\n");
            else if (!c.persistent()) out.append("Objects of this class do not survive a restart.\n\n");
            out.append("| field | type | access | default |\n|---|---|---|---|\n");
            for (FieldDef f : c.fields().values()) {
                out.append("| ").append(f.name()).append(" | ").append(f.type().describe()).append(" | ")
                   .append(f.derived() ? "derived from " + f.relation() : access(f.qualifier())).append(" | ")
                   .append(f.derived() ? "" : String.valueOf(f.defaultValue())).append(" |\n");
            }
            out.append("\n| message | parameters | result | notes |\n|---|---|---|---|\n");
            for (MessageDef m : model.messages()) {
                if (!m.className().equals(c.name())) continue;
                out.append("| ").append(m.name()).append(" | ")
                   .append(m.params().stream().map(p -> p.type().describe() + " " + p.name() + (p.optional() ? " = " + p.defaultValue() : ""))
                           .collect(Collectors.joining(", ")))
                   .append(" | ").append(m.result().describe()).append(" | ")
                   .append(notes(m)).append(" |\n");
            }
        }
        out.append("\n## Errors\n\n| code | parameters |\n|---|---|\n");
        for (ErrorDef e : model.errors()) out.append("| ").append(e.code()).append(" | ").append(String.join(", ", e.params())).append(" |\n");
        return out.toString();
    }

    private static String access(Qualifier q) {
        return switch (q) {
            case RW -> "read/write";
            case STATIC_RO -> "read-only, set at creation";
            case DYNAMIC_RO -> "read-only";
        };
    }

    private static String notes(MessageDef m) {
        var parts = new java.util.ArrayList<String>();
        if (m.sessionless()) parts.add("no session");
        if (m.async()) parts.add("async");
        if (!m.declared()) parts.add("derived");
        if (!m.doc().isEmpty()) parts.add(m.doc());
        if (!m.errors().isEmpty()) parts.add("errors: " + String.join(", ", m.errors()));
        return String.join("; ", parts);
    }
}
