package org.flotilla.model;

import java.util.ArrayList;
import java.util.stream.Collectors;

/** The API reference, written from the model: every class, field, message and error, with what each is for. */
public final class ApiDocs {
    private ApiDocs() {}

    public static String markdown(Model model) {
        var out = new StringBuilder("# The XenAPI as Flotilla serves it\n\n");
        out.append("Generated from the datamodel declaration. Every message takes a session reference first ")
           .append("unless marked *no session*; messages marked *async* also exist as `Async.<Class>.<message>`, ")
           .append("returning a task.\n\n## Classes\n\n");
        for (ClassDef c : model.classes()) {
            out.append("- [").append(c.name()).append("](#class-").append(c.name().toLowerCase()).append(")");
            if (!c.doc().isEmpty()) out.append(": ").append(c.doc());
            out.append("\n");
        }
        for (ClassDef c : model.classes()) {
            out.append("\n## Class ").append(c.name()).append("\n\n");
            if (!c.doc().isEmpty()) out.append(c.doc()).append("\n\n");
            if (!c.stored()) out.append("A shape of value only: no objects of this class are stored.\n\n");
            else if (!c.persistent()) out.append("Objects of this class do not survive a restart.\n\n");
            out.append("| field | type | access | default | description |\n|---|---|---|---|---|\n");
            for (FieldDef f : c.fields().values()) {
                out.append("| ").append(f.name()).append(" | ").append(f.type().describe()).append(" | ")
                   .append(f.derived() ? "derived from " + f.relation() : access(f.qualifier())).append(" | ")
                   .append(f.derived() ? "" : cell(String.valueOf(f.defaultValue()))).append(" | ")
                   .append(cell(f.doc())).append(" |\n");
            }
            out.append("\n| message | parameters | result | description | notes |\n|---|---|---|---|---|\n");
            for (MessageDef m : model.messages()) {
                if (!m.className().equals(c.name())) continue;
                out.append("| ").append(m.name()).append(" | ")
                   .append(m.params().stream().map(p -> p.type().describe() + " " + p.name() + (p.optional() ? " = " + p.defaultValue() : ""))
                           .collect(Collectors.joining(", ")))
                   .append(" | ").append(m.result().describe()).append(" | ")
                   .append(cell(description(m))).append(" | ")
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

    /** A declared message's own description; a derived one's follows from what it is derived from. */
    private static String description(MessageDef m) {
        if (!m.doc().isEmpty() || m.declared()) return m.doc();
        return switch (m.derivation()) {
            case Derivation.GetRecord g -> "The object's whole record.";
            case Derivation.GetByUuid g -> "The object with the given uuid.";
            case Derivation.GetByNameLabel g -> "The objects whose name_label is the given label.";
            case Derivation.GetAll g -> "Every object of the class.";
            case Derivation.GetAllRecords g -> "Every object of the class, with its record.";
            case Derivation.GetAllRecordsWhere g -> "The objects whose records match the expression, with their records.";
            case Derivation.Create c -> "Make an object from a record; the fields not given take their defaults.";
            case Derivation.Destroy d -> "Remove the object.";
            case Derivation.GetField f -> "The object's " + f.field().name() + ".";
            case Derivation.SetField f -> "Change the object's " + f.field().name() + ".";
            case Derivation.AddToMap f -> "Add a key and its value to the object's " + f.field().name() + "; refused if the key is there.";
            case Derivation.RemoveFromMap f -> "Remove a key from the object's " + f.field().name() + ", if it is there.";
            case Derivation.AddToSet f -> "Add a value to the object's " + f.field().name() + ", unless it is there.";
            case Derivation.RemoveFromSet f -> "Remove a value from the object's " + f.field().name() + ", if it is there.";
        };
    }

    private static String notes(MessageDef m) {
        var parts = new ArrayList<String>();
        if (m.sessionless()) parts.add("no session");
        if (m.async()) parts.add("async");
        if (!m.declared()) parts.add("derived");
        if (!m.errors().isEmpty()) parts.add("errors: " + String.join(", ", m.errors()));
        return String.join("; ", parts);
    }

    /** Text as a table cell shows it: a bar would end the cell, a line break the row. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
