package org.flotilla.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;

/**
 * xe vm-migrate within the pool: VM.pool_migrate, or with {@code vdi:<vdi uuid>=<sr uuid>} parameters Storage
 * XenMotion — host.migrate_receive on the destination's management network, then VM.migrate_send with the map
 * given, the VM's other disks staying on their SRs.
 */
final class VmMigration {
    static final String VDI_PREFIX = "vdi";

    private VmMigration() {}

    static List<String> messages() {
        var out = new java.util.ArrayList<>(RemoteActions.names(VM.Actions.class, a -> {
            a.pool_migrate(null, null, null);
            a.migrate_send(null, null, false, null, null, null, null);
        }));
        out.addAll(RemoteActions.names(Host.Actions.class, a -> a.migrate_receive(null, null, null)));
        return out;
    }

    static void run(CommandContext ctx, Ref<VM> vm, Ref<Host> to, Map<String, String> vdis) {
        VM.Actions vms = ctx.api().actions(VM.Actions.class);
        if (vdis.isEmpty()) {
            vms.pool_migrate(vm, to, Map.of("live", "true"));
            return;
        }
        var vdiMap = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
        vdis.forEach((vdi, sr) -> vdiMap.put(ctx.api().byUuid(VDI.CLASS, vdi), ctx.api().byUuid(SR.CLASS, sr)));
        for (RemoteRecord<VBD> b : ctx.api().allRecords(VBD.CLASS).values()) {
            if (!b.get(VBD.VM).equals(vm)) continue;
            Ref<VDI> vdi = b.get(VBD.VDI);
            if (Boolean.TRUE.equals(b.get(VBD.empty)) || vdi.isNull() || b.get(VBD.type) == VbdType.CD) continue;
            vdiMap.putIfAbsent(vdi, ctx.api().get(vdi, VDI.SR));
        }
        Map<String, String> dest = ctx.api().actions(Host.Actions.class).migrate_receive(to, managementNetwork(ctx, to), Map.of());
        vms.migrate_send(vm, dest, true, vdiMap, Map.of(), Map.of(), Map.of());
    }

    private static Ref<Network> managementNetwork(CommandContext ctx, Ref<Host> host) {
        for (RemoteRecord<PIF> p : ctx.api().allRecords(PIF.CLASS).values()) {
            if (p.get(PIF.host).equals(host) && Boolean.TRUE.equals(p.get(PIF.management))) return p.get(PIF.network);
        }
        throw CliFailure.failure("Host " + host.value() + " has no management interface");
    }
}
