package org.flotilla.model;

/** XAPI's static roles, weakest first: a message names the weakest role that may call it. */
public enum Access {
    READ_ONLY("read-only"), VM_OPERATOR("vm-operator"), VM_ADMIN("vm-admin"), VM_POWER_ADMIN("vm-power-admin"),
    POOL_OPERATOR("pool-operator"), POOL_ADMIN("pool-admin");

    private final String wireName;

    Access(String wireName) { this.wireName = wireName; }

    public String wireName() { return wireName; }

    public boolean covers(Access needed) { return compareTo(needed) >= 0; }
}
