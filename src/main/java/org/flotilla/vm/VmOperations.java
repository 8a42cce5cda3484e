package org.flotilla.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Type;

/**
 * Which VM operations are valid now, as XAPI's xapi_vm_lifecycle.ml decides: blocked operations, the
 * power states each operation needs, and what templates and snapshots may do. The VM runtime asks it
 * too (VM.start on a template fails with VM_IS_TEMPLATE from here).
 */
public final class VmOperations {
    /** other_config key marking a built-in template (Xapi_globs.default_template_key). */
    public static final String DEFAULT_TEMPLATE_KEY = "default_template";

    private static final Set<String> IGNORED = Set.of("create_template", "power_state_reset", "csvm", "get_boot_record",
            "send_sysrq", "send_trigger", "query_services", "shutdown", "call_plugin", "changing_memory_live",
            "awaiting_memory_live", "changing_memory_limits", "changing_shadow_memory_live", "changing_VCPUs",
            "assert_operation_valid", "data_source_op", "update_allowed_operations", "import", "reverting");

    private static final List<String> TEMPLATE_OPS = List.of("changing_dynamic_range", "changing_static_range",
            "changing_memory_limits", "changing_shadow_memory", "changing_VCPUs", "changing_NVRAM", "clone", "copy",
            "export", "metadata_export", "provision");

    private static final List<String> SNAPSHOT_OPS = List.of("revert", "clone", "copy", "export", "destroy",
            "hard_shutdown", "metadata_export");

    private final Database db;
    private final List<String> allOperations;

    public VmOperations(Database db) {
        this.db = db;
        var t = (Type.Set) db.model().classDef("VM").field("allowed_operations").type();
        this.allOperations = ((Type.Enum) t.element()).values();
    }

    /** The power states in which {@code op} may run (XAPI: allowed_power_states). */
    static List<String> allowedPowerStates(DbObject vm, String op) {
        boolean control = vm.bool("is_control_domain");
        return switch (op) {
            case "import" -> List.of();
            case "changing_VCPUs", "changing_static_range", "changing_memory_limits" ->
                    control ? List.of("Halted", "Running") : List.of("Halted");
            case "changing_shadow_memory", "changing_NVRAM", "make_into_template", "provision", "start", "start_on",
                 "create_vtpm" -> List.of("Halted");
            case "unpause" -> List.of("Paused");
            case "csvm", "resume", "resume_on" -> List.of("Suspended");
            case "awaiting_memory_live", "call_plugin", "clean_reboot", "clean_shutdown", "changing_memory_live",
                 "changing_shadow_memory_live", "changing_VCPUs_live", "data_source_op", "pause", "pool_migrate",
                 "send_sysrq", "send_trigger", "snapshot_with_quiesce", "suspend" -> List.of("Running");
            case "changing_dynamic_range" -> List.of("Halted", "Running");
            case "clone", "copy" -> vm.bool("is_a_snapshot") ? List.of("Halted", "Suspended") : List.of("Halted");
            case "create_template", "destroy", "export" -> List.of("Halted", "Suspended");
            case "hard_reboot" -> List.of("Paused", "Running");
            case "checkpoint", "get_boot_record", "shutdown", "hard_shutdown" -> List.of("Paused", "Suspended", "Running");
            case "migrate_send" -> List.of("Halted", "Suspended", "Running");
            default -> List.of("Halted", "Paused", "Suspended", "Running");
        };
    }

    static boolean isDefaultTemplate(DbObject vm) {
        String v = vm.<String, String>map("other_config").get(DEFAULT_TEMPLATE_KEY);
        return vm.bool("is_default_template") || "true".equalsIgnoreCase(v) || "1".equals(v);
    }

    /** The error {@code op} would fail with on {@code vm} now, if any (XAPI: check_operation_error). */
    public Optional<ApiError> error(DbObject vm, String op) {
        String ref = vm.ref();
        Object blocked = vm.<String, String>map("blocked_operations").get(op);
        if (blocked != null) return Optional.of(ApiError.of("OPERATION_BLOCKED", ref, blocked.toString()));
        String power = vm.string("power_state");
        List<String> allowed = allowedPowerStates(vm, op);
        if (!allowed.contains(power)) {
            return Optional.of(ApiError.of("VM_BAD_POWER_STATE", ref,
                    String.join(", ", allowed.stream().map(VmOperations::lower).toList()), lower(power)));
        }
        boolean template = vm.bool("is_a_template");
        boolean snapshot = vm.bool("is_a_snapshot");
        if (template && !snapshot && !TEMPLATE_OPS.contains(op)
                && !((op.equals("destroy") || op.equals("migrate_send")) && !isDefaultTemplate(vm))) {
            return Optional.of(ApiError.of("VM_IS_TEMPLATE", ref, op));
        }
        if (snapshot && !SNAPSHOT_OPS.contains(op)) return Optional.of(ApiError.of("VM_IS_SNAPSHOT", ref, op));
        if (op.equals("provision") && !template) return Optional.of(ApiError.of("PROVISION_ONLY_ALLOWED_ON_TEMPLATE"));
        if (op.equals("revert") && !snapshot) return Optional.of(ApiError.of("REVERT_ONLY_ALLOWED_ON_SNAPSHOT"));
        return Optional.empty();
    }

    public void assertValid(String vmRef, String op) {
        error(db.require("VM", vmRef), op).ifPresent(e -> { throw e; });
    }

    /** Every operation that would be valid now (XAPI: update_allowed_operations' fold over allowable ops). */
    public List<String> allowed(DbObject vm) {
        var out = new ArrayList<String>();
        for (String op : allOperations) if (!IGNORED.contains(op) && error(vm, op).isEmpty()) out.add(op);
        return List.copyOf(out);
    }

    /** Stages allowed_operations of every VM named, as they will be once {@code changed} fields apply. */
    public void refresh(Database.Tx tx, String vmRef, Map<String, Object> fieldsAfter) {
        DbObject now = db.get("VM", vmRef);
        var fields = new java.util.LinkedHashMap<String, Object>(now == null ? Map.of() : now.fields());
        fields.putAll(fieldsAfter);
        var after = new DbObject("VM", vmRef, fields, 0, 0);
        List<String> ops = allowed(after);
        if (now == null || !ops.equals(now.get("allowed_operations"))) tx.set("VM", vmRef, "allowed_operations", ops);
    }

    /** Recomputes and stores allowed_operations. */
    public void update(String vmRef) {
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm == null) return;
            List<String> ops = allowed(vm);
            if (!ops.equals(vm.get("allowed_operations"))) tx.set("VM", vmRef, "allowed_operations", ops);
        });
    }

    static String lower(String powerState) { return powerState.toLowerCase(Locale.ROOT); }
}
