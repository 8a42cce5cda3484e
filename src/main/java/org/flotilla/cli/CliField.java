package org.flotilla.cli;

import org.flotilla.model.Field;
import org.flotilla.model.Type;

/** A field as xe shows it: its xe name and the qualifier that records.ml derives from what can be done to it. */
record CliField(String name, Field field, boolean settableByMessage) {

    /** A read-only field with a declared set_&lt;field&gt; message (SR.set_name_label) is writable all the same. */
    static CliField of(org.flotilla.model.ClassDef cls, Field f) {
        boolean declaredSetter = cls.messages().stream().anyMatch(m -> m.name().equals("set_" + f.name()));
        return new CliField(XeNames.ofField(f.name()), f, declaredSetter);
    }

    boolean isMap() { return field.type() instanceof Type.Map; }

    boolean isSet() { return field.type() instanceof Type.Set; }

    /** Maps and sets need add/remove messages too, which a declared setter does not bring. */
    boolean writable() { return field.writable() || (settableByMessage && !isMap() && !isSet()); }

    /** " ( RO)", " (MRW)", ... exactly as print_field in cli_operations.ml appends it. */
    String qualifier() {
        if (isSet()) return writable() ? " (SRW)" : " (SRO)";
        if (isMap()) return writable() ? " (MRW)" : " (MRO)";
        return writable() ? " ( RW)" : " ( RO)";
    }
}
