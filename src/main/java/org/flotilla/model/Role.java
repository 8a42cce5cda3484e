package org.flotilla.model;

/** XAPI's static roles, weakest first: a message names the weakest role that may call it. */
public enum Role {
    READ_ONLY("read-only"), VM_OPERATOR("vm-operator"), VM_ADMIN("vm-admin"), VM_POWER_ADMIN("vm-power-admin"),
    POOL_OPERATOR("pool-operator"), POOL_ADMIN("pool-admin");

    private final String wireName;

    Role(String wireName) { this.wireName = wireName; }

    public String wireName() { return wireName; }

    public boolean covers(Role needed) { return compareTo(needed) >= 0; }
}
