package org.flotilla.vm;

import static org.flotilla.model.xenapi.enums.VmOperations.*;
import static org.flotilla.model.xenapi.enums.VmPowerState.Halted;
import static org.flotilla.model.xenapi.enums.VmPowerState.Paused;
import static org.flotilla.model.xenapi.enums.VmPowerState.Running;
import static org.flotilla.model.xenapi.enums.VmPowerState.Suspended;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.WireEnum;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * Which VM operations are valid in which state: XAPI's {@code xapi_vm_lifecycle.ml} (power states per
 * operation, what may run concurrently, templates, snapshots, the control domain, blocked operations),
 * as pure functions of the VM record. Guests here always honour ACPI, so no operation lacks a feature.
 * The one table of these rules: {@link VmAllowedOperations} (records) and the VM runtime (power operations) both ask it.
 */
public final class VmLifecycle {
    private VmLifecycle() {}

    private static final List<VmPowerState> ALL = List.of(Halted, Paused, Suspended, Running);

    /** XAPI's ignored_ops: never listed in allowed_operations. */
    private static final Set<VmOperations> IGNORED = EnumSet.of(create_template, power_state_reset, csvm, get_boot_record,
            send_sysrq, send_trigger, query_services, shutdown, call_plugin, changing_memory_live,
            awaiting_memory_live, changing_memory_limits, changing_shadow_memory_live, changing_VCPUs,
            assert_operation_valid, data_source_op, update_allowed_operations, _import, reverting);

    /** other_config key marking a built-in template (Xapi_globs.default_template_key). */
    public static final String DEFAULT_TEMPLATE_KEY = "default_template";

    private static final Set<VmOperations> TEMPLATE_OPS = EnumSet.of(changing_dynamic_range, changing_static_range,
            changing_memory_limits, changing_shadow_memory, changing_VCPUs, changing_NVRAM, clone, copy,
            export, metadata_export, provision);

    private static final Set<VmOperations> SNAPSHOT_OPS = EnumSet.of(revert, clone, copy, export, destroy,
            hard_shutdown, metadata_export);

    /** The control domain runs only these (besides the memory and data-source operations XAPI lets through). */
    private static final Set<VmOperations> CONTROL_DOMAIN_OPS = EnumSet.of(data_source_op, changing_memory_live,
            awaiting_memory_live, metadata_export, changing_dynamic_range, changing_memory_limits,
            changing_static_range, start, start_on);

    /** The power states in which {@code op} may run (XAPI's allowed_power_states), in XAPI's order. */
    static List<VmPowerState> allowedPowerStates(DbObject<VM> vm, VmOperations op) {
        boolean dom0 = Boolean.TRUE.equals(vm.get(VM.is_control_domain));
        boolean snapshot = Boolean.TRUE.equals(vm.get(VM.is_a_snapshot));
        return switch (op) {
            case _import -> List.of();
            case changing_VCPUs, changing_static_range, changing_memory_limits -> dom0 ? List.of(Halted, Running) : List.of(Halted);
            case changing_shadow_memory, changing_NVRAM, make_into_template, provision, start, start_on, create_vtpm -> List.of(Halted);
            case unpause -> List.of(Paused);
            case csvm, resume, resume_on -> List.of(Suspended);
            case awaiting_memory_live, call_plugin, clean_reboot, clean_shutdown, changing_memory_live,
                 changing_shadow_memory_live, changing_VCPUs_live, data_source_op, pause, pool_migrate,
                 send_sysrq, send_trigger, snapshot_with_quiesce, suspend -> List.of(Running);
            case changing_dynamic_range -> List.of(Halted, Running);
            case clone, copy -> snapshot ? List.of(Halted, Suspended) : List.of(Halted);
            case create_template, destroy, export -> List.of(Halted, Suspended);
            case hard_reboot -> List.of(Paused, Running);
            case checkpoint, get_boot_record, shutdown, hard_shutdown -> List.of(Paused, Suspended, Running);
            case migrate_send -> List.of(Halted, Suspended, Running);
            // every operation is named: a new one in the model does not compile until it is placed here
            case snapshot, revert, reverting, metadata_export, power_state_reset, query_services, assert_operation_valid,
                 update_allowed_operations -> ALL;
        };
    }

    /** XAPI's is_allowed_concurrently. */
    static boolean allowedConcurrently(VmOperations op, Collection<VmOperations> current) {
        List<List<VmOperations>> groups = List.of(List.of(clone, copy, export), List.of(snapshot, checkpoint), List.of(get_boot_record));
        for (List<VmOperations> g : groups) if (g.contains(op) && g.containsAll(current)) return true;
        return switch (op) {
            case hard_shutdown -> !current.contains(hard_shutdown);
            case hard_reboot -> !current.contains(hard_shutdown) && !current.contains(hard_reboot);
            case snapshot -> List.copyOf(current).equals(List.of(snapshot_with_quiesce));
            case metadata_export, clean_shutdown, clean_reboot -> List.copyOf(current).equals(List.of(migrate_send));
            default -> false;
        };
    }

    /** The first reason {@code op} may not run now, as XAPI reports it, or null. */
    public static ApiError check(DbObject<VM> vm, VmOperations op) {
        String ref = vm.ref();
        Map<VmOperations, String> blocked = vm.get(VM.blocked_operations);
        if (blocked != null && blocked.containsKey(op)) return ApiError.of("OPERATION_BLOCKED", ref, blocked.get(op));
        VmPowerState power = vm.get(VM.power_state);
        List<VmPowerState> expected = allowedPowerStates(vm, op);
        if (!expected.contains(power)) {
            return ApiError.of("VM_BAD_POWER_STATE", ref, String.join(", ", expected.stream().map(VmLifecycle::lower).toList()),
                    lower(power));
        }
        Map<String, VmOperations> current = vm.get(VM.current_operations);
        if (current != null && !current.isEmpty() && !allowedConcurrently(op, current.values())) {
            var e = current.entrySet().iterator().next();
            if (current.size() == 1) return ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), ref, e.getValue().wire(), e.getKey());
            return ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), ref, "{" + String.join(",", wires(current.values())) + "}",
                    "{" + String.join(",", current.keySet()) + "}");
        }
        boolean template = Boolean.TRUE.equals(vm.get(VM.is_a_template));
        boolean isSnapshot = Boolean.TRUE.equals(vm.get(VM.is_a_snapshot));
        if (template && !isSnapshot && !TEMPLATE_OPS.contains(op)
                && !((op == destroy || op == migrate_send) && !isDefaultTemplate(vm))) {
            return ApiError.of("VM_IS_TEMPLATE", ref, op.wire());
        }
        if (isSnapshot && !SNAPSHOT_OPS.contains(op)) return ApiError.of("VM_IS_SNAPSHOT", ref, op.wire());
        if (op == provision && !template) return ApiError.of("PROVISION_ONLY_ALLOWED_ON_TEMPLATE");
        if (op == revert && !isSnapshot) return ApiError.of("REVERT_ONLY_ALLOWED_ON_SNAPSHOT");
        if (Boolean.TRUE.equals(vm.get(VM.is_control_domain))) {
            if (op == changing_VCPUs || op == destroy) return ApiError.of("OPERATION_NOT_ALLOWED", "This operation is not allowed on dom0");
            if (!CONTROL_DOMAIN_OPS.contains(op)) return ApiError.of("OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain");
        }
        if (op == snapshot_with_quiesce) return ApiError.of("VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", ref);
        if (op == query_services) return ApiError.of("NOT_SYSTEM_DOMAIN", ref);
        return null;
    }

    /** XAPI's update_allowed_operations: every listed operation that check() lets through now, in the datamodel's order. */
    public static List<VmOperations> allowedOperations(DbObject<VM> vm) {
        var out = new ArrayList<VmOperations>();
        for (VmOperations op : VmOperations.values()) if (!IGNORED.contains(op) && check(vm, op) == null) out.add(op);
        return out;
    }

    /** A built-in template: it may be neither destroyed nor migrated. */
    public static boolean isDefaultTemplate(DbObject<VM> vm) {
        Map<String, String> oc = vm.get(VM.other_config);
        String v = oc == null ? null : oc.get(DEFAULT_TEMPLATE_KEY);
        return Boolean.TRUE.equals(vm.get(VM.is_default_template)) || "true".equalsIgnoreCase(v) || "1".equals(v);
    }

    /** A power state as XAPI's errors spell it (VM_BAD_POWER_STATE). */
    public static String lower(VmPowerState powerState) { return powerState == null ? "" : powerState.wire().toLowerCase(Locale.ROOT); }

    private static List<String> wires(Collection<? extends WireEnum> values) { return values.stream().map(WireEnum::wire).toList(); }
}
