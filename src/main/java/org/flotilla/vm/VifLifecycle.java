package org.flotilla.vm;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VifOperations;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * Which VIF operations are valid now: XAPI's {@code xapi_vif_helpers.valid_operations} as pure functions of
 * the VIF and its VM. One operation at a time per VIF; attach is always possible otherwise; plug and unplug
 * need a running VM (guests here always have virtio drivers, so none lacks hot-plug support), the VIF in
 * the opposite state, and no shutdown, suspend or pause under way on the VM.
 */
public final class VifLifecycle {
    private VifLifecycle() {}

    /** VM operations during which a VIF may not be plugged or unplugged. */
    private static final Set<VmOperations> BLOCKING_VM_OPERATIONS =
            EnumSet.of(VmOperations.clean_shutdown, VmOperations.hard_shutdown, VmOperations.suspend, VmOperations.pause);

    /** The first reason {@code op} may not run on the VIF now, as XAPI reports it, or null. */
    public static ApiError check(DbObject<VM> vm, DbObject<VIF> vif, VifOperations op) {
        Map<String, VifOperations> current = vif.get(VIF.current_operations);
        if (current != null && !current.isEmpty()) {
            return ApiError.of("OTHER_OPERATION_IN_PROGRESS", VIF.CLASS.name(), vif.ref(),
                    "{" + String.join("; ", current.values().stream().map(VifOperations::wire).toList()) + "}",
                    "{" + String.join("; ", current.keySet()) + "}");
        }
        if (op == VifOperations.attach) return null;
        if (op == VifOperations.plug && Boolean.TRUE.equals(vm.get(VM.is_control_domain))) {
            return ApiError.of("OPERATION_NOT_ALLOWED", "devices cannot be hot-plugged into the control domain");
        }
        VmPowerState power = vm.get(VM.power_state);
        boolean attached = Boolean.TRUE.equals(vif.get(VIF.currently_attached));
        if (power != VmPowerState.Running) return ApiError.of("VM_BAD_POWER_STATE", vm.ref(), "running", VmLifecycle.lower(power));
        if (op == VifOperations.plug && attached) return ApiError.of("DEVICE_ALREADY_ATTACHED", vif.ref());
        if (op == VifOperations.unplug && !attached) return ApiError.of("DEVICE_ALREADY_DETACHED", vif.ref());
        Map<String, VmOperations> vmOps = vm.get(VM.current_operations);
        if (vmOps != null) {
            for (VmOperations vmOp : vmOps.values()) {
                if (BLOCKING_VM_OPERATIONS.contains(vmOp)) {
                    return ApiError.of("OPERATION_NOT_ALLOWED", "VM " + vm.ref() + " is in the middle of " + vmOp.wire());
                }
            }
        }
        return null;
    }

    /** XAPI's update_allowed_operations for a VIF: every operation check() lets through now, in the datamodel's order. */
    public static List<VifOperations> allowedOperations(DbObject<VM> vm, DbObject<VIF> vif) {
        var out = new ArrayList<VifOperations>();
        for (VifOperations op : VifOperations.values()) if (check(vm, vif, op) == null) out.add(op);
        return List.copyOf(out);
    }
}
