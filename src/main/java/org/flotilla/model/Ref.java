package org.flotilla.model;

/**
 * A reference to an object of class {@code C}, as the wire carries it ({@code OpaqueRef:…}), knowing its class:
 * a VDI's reference cannot be passed where a VM's is wanted.
 */
public record Ref<C>(ApiClass<C> cls, String value) {
    public static final String NULL = "OpaqueRef:NULL";

    public Ref {
        if (cls == null || value == null) throw new IllegalArgumentException("a reference needs its class and value");
    }

    /** {@code OpaqueRef:NULL} (or the empty string some clients send for it). */
    public boolean isNull() { return value.equals(NULL) || value.isEmpty(); }

    @Override
    public String toString() { return value; }
}
