package org.flotilla.cli;

import org.flotilla.model.Field;
import org.flotilla.model.Type;

/** A field as xe shows it: its xe name and the qualifier that records.ml derives from what can be done to it. */
record CliField(String name, Field field) {

    static CliField of(Field f) { return new CliField(XeNames.ofField(f.name()), f); }

    boolean isMap() { return field.type() instanceof Type.Map; }

    boolean isSet() { return field.type() instanceof Type.Set; }

    boolean writable() { return field.writable(); }

    /** " ( RO)", " (MRW)", ... exactly as print_field in cli_operations.ml appends it. */
    String qualifier() {
        if (isSet()) return writable() ? " (SRW)" : " (SRO)";
        if (isMap()) return writable() ? " (MRW)" : " (MRO)";
        return writable() ? " ( RW)" : " ( RO)";
    }
}
