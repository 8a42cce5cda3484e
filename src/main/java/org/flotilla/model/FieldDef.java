package org.flotilla.model;

/**
 * A field of a class. {@code defaultValue} is a value of the field's type, used when create omits it
 * and when a record is made by the server; {@code relation} names the field on the other class whose
 * references this derived set collects (e.g. VM.VBDs collects VBD.VM), or null.
 */
public record FieldDef(String name, Type type, Qualifier qualifier, Object defaultValue, String relation, String doc) {

    public boolean writable() { return qualifier == Qualifier.RW; }

    /** A set computed from the other side of a one-to-many relation, never stored. */
    public boolean derived() { return relation != null; }
}
