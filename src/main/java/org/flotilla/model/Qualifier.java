package org.flotilla.model;

/** Who may write a field, as in XAPI's datamodel. */
public enum Qualifier {
    /** Read-write: set by create and by set_&lt;field&gt;. */
    RW,
    /** Read-only, given at create time ("RO/constructor"). */
    STATIC_RO,
    /** Read-only, maintained by the server ("RO/runtime"). */
    DYNAMIC_RO;

    public boolean inConstructor() { return this != DYNAMIC_RO; }
}
