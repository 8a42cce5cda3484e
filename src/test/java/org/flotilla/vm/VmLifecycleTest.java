package org.flotilla.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.junit.jupiter.api.Test;

/** XAPI's operation table (xapi_vm_lifecycle.ml), without QEMU. */
class VmLifecycleTest {
    static DbObject<VM> vm(String power, Map<String, Object> extra) {
        var f = new HashMap<String, Object>();
        f.put("power_state", power);
        f.put("current_operations", Map.of());
        f.put("blocked_operations", Map.of());
        f.put("other_config", Map.of());
        f.put("is_a_template", false);
        f.put("is_a_snapshot", false);
        f.put("is_control_domain", false);
        f.putAll(extra);
        return new DbObject<>("VM", "OpaqueRef:vm", f, 1, 1);
    }

    static ApiError check(DbObject<VM> vm, String op) { return VmLifecycle.check(vm, VmOperations.valueOf(op)); }

    static List<String> allowed(DbObject<VM> vm) { return VmLifecycle.allowedOperations(vm).stream().map(VmOperations::wire).toList(); }

    @Test
    void allowedOperationsPerPowerState() {
        assertEquals(List.of("snapshot", "clone", "copy", "revert", "provision", "start", "start_on", "pool_migrate",
                        "migrate_send", "changing_dynamic_range", "changing_static_range", "changing_shadow_memory",
                        "changing_NVRAM", "make_into_template", "export", "metadata_export", "destroy", "create_vtpm").stream()
                        .filter(op -> check(vm("Halted", Map.of()), op) == null).toList(),
                allowed(vm("Halted", Map.of())));
        assertEquals(List.of("snapshot", "checkpoint", "pause", "clean_shutdown", "clean_reboot", "hard_shutdown", "hard_reboot",
                        "suspend", "pool_migrate", "migrate_send", "changing_dynamic_range", "changing_VCPUs_live", "metadata_export"),
                allowed(vm("Running", Map.of())));
        assertEquals(List.of("snapshot", "checkpoint", "unpause", "hard_shutdown", "hard_reboot", "metadata_export"),
                allowed(vm("Paused", Map.of())));
        assertEquals(List.of("snapshot", "checkpoint", "hard_shutdown", "resume", "resume_on", "migrate_send", "export",
                        "metadata_export", "destroy"),
                allowed(vm("Suspended", Map.of())));
    }

    @Test
    void errorsAsXapiWordsThem() {
        assertEquals(List.of("VM_BAD_POWER_STATE", "OpaqueRef:vm", "paused, suspended, running", "halted"),
                check(vm("Halted", Map.of()), "hard_shutdown").description());
        assertEquals(List.of("VM_BAD_POWER_STATE", "OpaqueRef:vm", "paused, running", "suspended"),
                check(vm("Suspended", Map.of()), "hard_reboot").description());
        var busy = vm("Running", Map.of("current_operations", Map.of("OpaqueRef:task", "clean_shutdown")));
        assertEquals(List.of("OTHER_OPERATION_IN_PROGRESS", "VM", "OpaqueRef:vm", "clean_shutdown", "OpaqueRef:task"),
                check(busy, "pause").description());
        assertNull(check(busy, "hard_shutdown"));
        assertEquals(List.of("hard_shutdown", "hard_reboot"), allowed(busy));
        var two = new LinkedHashMap<String, String>();
        two.put("OpaqueRef:a", "clone");
        two.put("OpaqueRef:b", "export");
        assertEquals(List.of("OTHER_OPERATION_IN_PROGRESS", "VM", "OpaqueRef:vm", "{clone,export}", "{OpaqueRef:a,OpaqueRef:b}"),
                check(vm("Halted", Map.of("current_operations", two)), "start").description());
        assertNull(check(vm("Halted", Map.of("current_operations", two)), "copy"));
        assertEquals(List.of("VM_IS_TEMPLATE", "OpaqueRef:vm", "start"),
                check(vm("Halted", Map.of("is_a_template", true)), "start").description());
        assertTrue(allowed(vm("Halted", Map.of("is_a_template", true))).containsAll(List.of("clone", "destroy")));
        assertFalse(allowed(vm("Halted", Map.of("is_a_template", true,
                "other_config", Map.of("default_template", "true")))).contains("destroy"));
        assertEquals(List.of("OPERATION_BLOCKED", "OpaqueRef:vm", "no"),
                check(vm("Halted", Map.of("blocked_operations", Map.of("start", "no"))), "start").description());
    }
}
