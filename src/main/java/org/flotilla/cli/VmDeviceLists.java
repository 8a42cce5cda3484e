package org.flotilla.cli;

import java.util.ArrayList;
import java.util.List;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;

/**
 * vm-disk-list, vm-cd-list and vm-vif-list: a VM's disks (each VBD with its VDI) or NICs, with the fields
 * xe shows for them by default, or those named by vbd-params=, vdi-params= (disks) or params= (NICs).
 */
final class VmDeviceLists {
    private VmDeviceLists() {}

    static List<HandWrittenCommands.Entry> all() {
        return List.of(
                disks("vm-disk-list", false, "Show the VM's disks: each VBD, and the VDI behind it."),
                disks("vm-cd-list", true, "Show the VM's CD drives: each VBD, and the VDI of the disc in it."),
                new HandWrittenCommands.Entry(new Command("vm-vif-list", List.of(), List.of("params"),
                        "Show the VM's network interfaces." + VmSelector.HELP_SUFFIX, false, VmDeviceLists::vifs), List.of()));
    }

    private static HandWrittenCommands.Entry disks(String name, boolean cds, String help) {
        List<String> own = List.of("vbd-params", "vdi-params");
        return new HandWrittenCommands.Entry(new Command(name, List.of(), own, help + VmSelector.HELP_SUFFIX, false,
                (ctx, line) -> {
                    var out = new ArrayList<Output>();
                    for (ObjectRecord vm : VmSelector.select(ctx, line, true, own)) out.addAll(disksOf(ctx, line, vm, cds));
                    return new Output.Sequence(out);
                }), List.of());
    }

    private static List<Output> disksOf(CommandContext ctx, CommandLine line, ObjectRecord vm, boolean cds) {
        CliClass vbdClass = ctx.classes().byName("vbd").orElseThrow();
        CliClass vdiClass = ctx.classes().byName("vdi").orElseThrow();
        var vbdFields = DerivedCommands.chosenFields(vbdClass, line.get("vbd-params"),
                cds ? List.of("uuid", "vm-name-label", "userdevice", "empty") : List.of("uuid", "vm-name-label", "userdevice"));
        var vdiFields = DerivedCommands.chosenFields(vdiClass, line.get("vdi-params"),
                List.of("uuid", "name-label", "virtual-size", "sr-name-label"));
        var out = new ArrayList<Output>();
        int n = 0;
        for (Ref<VBD> vbd : vm.as(VM.CLASS).get(VM.VBDs)) {
            RemoteRecord<VBD> r = ctx.api().record(vbd);
            if (r.get(VBD.type) != (cds ? VbdType.CD : VbdType.Disk)) continue;
            String label = (cds ? "CD " : "Disk ") + n++;
            out.add(new Output.Message(label + " VBD:"));
            out.add(new Output.Table(List.of(DerivedCommands.lines(ctx, new ObjectRecord(vbdClass, vbd.value(), r.values()), vbdFields))));
            if (Boolean.TRUE.equals(r.get(VBD.empty))) continue;
            Ref<VDI> vdi = r.get(VBD.VDI);
            out.add(new Output.Message(label + " VDI:"));
            out.add(new Output.Table(List.of(DerivedCommands.lines(ctx, new ObjectRecord(vdiClass, vdi.value(), ctx.api().record(vdi).values()), vdiFields))));
        }
        return out;
    }

    private static Output vifs(CommandContext ctx, CommandLine line) {
        CliClass vifClass = ctx.classes().byName("vif").orElseThrow();
        var fields = DerivedCommands.chosenFields(vifClass, line.get("params"),
                List.of("uuid", "device", "MAC", "network-uuid", "network-name-label", "vm-name-label"));
        var records = new ArrayList<List<Output.Line>>();
        for (ObjectRecord vm : VmSelector.select(ctx, line, true, List.of("params"))) {
            for (Ref<VIF> vif : vm.as(VM.CLASS).get(VM.VIFs)) {
                records.add(DerivedCommands.lines(ctx, new ObjectRecord(vifClass, vif.value(), ctx.api().record(vif).values()), fields));
            }
        }
        return new Output.Table(records);
    }
}
