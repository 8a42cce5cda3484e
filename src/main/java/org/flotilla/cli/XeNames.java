package org.flotilla.cli;

import java.util.Map;

/**
 * How xe spells the datamodel: a class or field name with '_' turned into '-'. Classes are lowercased;
 * fields keep their case, as XAPI's records.ml writes them (VCPUs-max, PV-kernel, HVM-boot-policy).
 */
final class XeNames {
    private XeNames() {}

    /** The few classes whose xe name is not their datamodel name (gen_cmds in cli_operations.ml). */
    private static final Map<String, String> CLASS_EXCEPTIONS = Map.of(
            "pool_patch", "patch",
            "pool_update", "update",
            "VM_appliance", "appliance",
            "DR_task", "drtask");

    static String ofClass(String className) {
        String special = CLASS_EXCEPTIONS.get(className);
        return special != null ? special : className.toLowerCase().replace('_', '-');
    }

    static String ofField(String fieldName) { return fieldName.replace('_', '-'); }
}
