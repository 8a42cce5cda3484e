package org.flotilla.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.xenapi.VM;

/**
 * The VMs a VM command acts on (select_vms in cli_operations.ml): vm=&lt;name or uuid&gt; and any field
 * filters, never a template, and the control domain only for commands that allow it. One match is
 * required unless --multiple is given.
 */
final class VmSelector {
    private VmSelector() {}

    static final String HELP_SUFFIX = " Choose the VM with vm=<name or uuid>, or with field filters as vm-list takes them "
            + "(e.g. power-state=halted); when several VMs match, add --multiple. With no selection at all, every VM is chosen.";

    static List<ObjectRecord> select(CommandContext ctx, CommandLine line, boolean includeControlDomain, List<String> ownParams) {
        CliClass vms = ctx.classes().byName("vm").orElseThrow();
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("is-a-template", "false");
        if (!includeControlDomain) filters.put("is-control-domain", "false");
        line.params().forEach((k, v) -> {
            String base = k.contains(":") ? k.substring(0, k.indexOf(':')) : k;
            if (!CommandLine.STANDARD_PARAMS.contains(base) && !ownParams.contains(base)) filters.put(k, v);
        });
        String vm = filters.remove("vm");
        List<ObjectRecord> selected = new ArrayList<>();
        for (ObjectRecord o : ctx.all(vms)) {
            RemoteRecord<VM> r = o.as(VM.CLASS);
            if (vm != null && !vm.equals(r.get(VM.uuid)) && !vm.equals(r.get(VM.name_label))) continue;
            boolean ok = true;
            for (var f : filters.entrySet()) {
                CliField field = vms.field(f.getKey()).orElseThrow(() -> CliFailure.failure("Parameter '" + f.getKey()
                        + "' is not a field of the VM class. Failed to select VM for operation."));
                if (!ctx.show(o, field).equals(f.getValue())) ok = false;
            }
            if (ok) selected.add(o);
        }
        if (selected.isEmpty()) throw CliFailure.failure("No matching VMs found");
        if (selected.size() > 1 && !line.flag("multiple")) {
            throw CliFailure.failure("Multiple matches VMs found. --multiple required to complete the operation");
        }
        return selected;
    }
}
