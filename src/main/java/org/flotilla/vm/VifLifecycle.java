package org.flotilla.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/**
 * Which VIF operations are valid now: XAPI's {@code xapi_vif_helpers.valid_operations} as pure functions of
 * the VIF and its VM. One operation at a time per VIF; attach is always possible otherwise; plug and unplug
 * need a running VM (guests here always have virtio drivers, so none lacks hot-plug support), the VIF in
 * the opposite state, and no shutdown, suspend or pause under way on the VM.
 */
public final class VifLifecycle {
    private VifLifecycle() {}

    /** vif_operations, in the datamodel's order. */
    private static final List<String> OPERATIONS = List.of("attach", "plug", "unplug");

    /** VM operations during which a VIF may not be plugged or unplugged. */
    private static final List<String> BLOCKING_VM_OPERATIONS = List.of("clean_shutdown", "hard_shutdown", "suspend", "pause");

    /** The first reason {@code op} may not run on the VIF now, as XAPI reports it, or null. */
    public static ApiError check(DbObject<?> vm, DbObject<?> vif, String op) {
        Map<String, String> current = vif.map("current_operations");
        if (current != null && !current.isEmpty()) {
            return ApiError.of("OTHER_OPERATION_IN_PROGRESS", "VIF", vif.ref(), "{" + String.join("; ", current.values()) + "}",
                    "{" + String.join("; ", current.keySet()) + "}");
        }
        if (op.equals("attach")) return null;
        if (op.equals("plug") && Boolean.TRUE.equals(vm.get("is_control_domain"))) {
            return ApiError.of("OPERATION_NOT_ALLOWED", "devices cannot be hot-plugged into the control domain");
        }
        String power = vm.string("power_state");
        boolean attached = Boolean.TRUE.equals(vif.get("currently_attached"));
        if (!"Running".equals(power)) return ApiError.of("VM_BAD_POWER_STATE", vm.ref(), "running", VmLifecycle.lower(power));
        if (op.equals("plug") && attached) return ApiError.of("DEVICE_ALREADY_ATTACHED", vif.ref());
        if (op.equals("unplug") && !attached) return ApiError.of("DEVICE_ALREADY_DETACHED", vif.ref());
        Map<String, String> vmOps = vm.map("current_operations");
        if (vmOps != null) {
            for (String vmOp : vmOps.values()) {
                if (BLOCKING_VM_OPERATIONS.contains(vmOp)) {
                    return ApiError.of("OPERATION_NOT_ALLOWED", "VM " + vm.ref() + " is in the middle of " + vmOp);
                }
            }
        }
        return null;
    }

    /** XAPI's update_allowed_operations for a VIF: every operation check() lets through now. */
    public static List<String> allowedOperations(DbObject<?> vm, DbObject<?> vif) {
        var out = new ArrayList<String>();
        for (String op : OPERATIONS) if (check(vm, vif, op) == null) out.add(op);
        return List.copyOf(out);
    }
}
