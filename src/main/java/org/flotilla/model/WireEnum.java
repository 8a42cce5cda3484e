package org.flotilla.model;

/**
 * A XenAPI enumeration as a Java enum: its constants are its values, named as the wire spells them, or
 * carrying {@link Wire} where the wire spelling is no Java name ("active-backup"). The enum type itself
 * carries {@link Wire} with the enumeration's XenAPI name ("vm_power_state").
 */
public interface WireEnum {
    /** The value as the wire spells it. */
    default String wire() { return DataTypes.wireName((Enum<?>) this); }
}
