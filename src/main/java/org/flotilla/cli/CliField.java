package org.flotilla.cli;

import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Type;

/**
 * A field as xe shows it: its xe name, the datamodel field behind it and the qualifier printed after the name
 * (RO, RW, SRO, SRW, MRO, MRW, as print_field in cli_operations.ml appends it). When {@code remote} is set the
 * field shows not {@code field} itself, a reference, but that field of the object it references
 * (a VBD's "vm-name-label" is VBD.VM → VM.name_label).
 */
record CliField(String name, FieldDef field, FieldDef remote, String access, boolean deprecated) {

    /** A model field under its own xe name, its qualifier derived from the model. */
    static CliField of(ClassDef cls, FieldDef f) {
        // a read-only field with a declared set_<field> message (SR.set_name_label) is writable all the same,
        // but maps and sets need add/remove messages too, which a declared setter does not bring
        boolean declaredSetter = cls.messages().stream().anyMatch(m -> m.name().equals("set_" + f.name()));
        String kind = f.type() instanceof Type.Set ? "S" : f.type() instanceof Type.Map ? "M" : "";
        boolean writable = f.writable() || (declaredSetter && kind.isEmpty());
        return new CliField(XeNames.ofField(f.name()), f, null, kind + (writable ? "RW" : "RO"), false);
    }

    /** The type of what the field shows. */
    Type type() { return remote != null ? remote.type() : field.type(); }

    boolean isMap() { return type() instanceof Type.Map; }

    boolean isSet() { return type() instanceof Type.Set; }

    /** What another object holds is never set through this one. */
    boolean writable() { return remote == null && access.endsWith("RW"); }

    /** xe prints a set the way it declares it: a map (current-operations) shown as a set lists its values. */
    boolean showsValuesOnly() { return access.startsWith("S") && field.type() instanceof Type.Map; }

    /** " ( RO)", " (MRW)", ..., and " [DEPRECATED]" after a field xe keeps only for old scripts. */
    String qualifier() { return " (" + " ".repeat(3 - access.length()) + access + ")" + (deprecated ? " [DEPRECATED]" : ""); }
}
