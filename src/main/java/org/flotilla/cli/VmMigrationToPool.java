package org.flotilla.cli;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;

/**
 * xe vm-migrate to a host of another pool, as XAPI's cli_operations vm_migrate does it: a login to that pool's master
 * ({@code remote-master}, {@code remote-username}, {@code remote-password}), the host there ({@code host}: its hostname,
 * name or uuid; any host if none) and the network there to receive on ({@code remote-network}, else the host's
 * management network), host.migrate_receive there, then VM.migrate_send here with {@code vdi:<vdi uuid>=<sr uuid>}
 * and {@code vif:<vif uuid>=<network uuid>} mapped to that pool's objects. A disk left out goes to the SR there XAPI's
 * xe prefers: one the host has plugged, shared before local, with the most free space.
 */
final class VmMigrationToPool {
    static final String MASTER = "remote-master";
    static final List<String> PARAMS = List.of(MASTER, "remote-username", "remote-password", "remote-network", "vif", "copy", "force");
    /** The port XAPI's xe reaches another pool's master on. */
    private static final int PORT = 443;

    private VmMigrationToPool() {}

    static void run(CommandContext ctx, CommandLine line, Ref<VM> vm, Map<String, String> vdis, Map<String, String> vifs) {
        String user = line.get("remote-username");
        String password = line.get("remote-password");
        if (user == null || password == null) {
            throw CliFailure.failure("Storage live migration requires remote-master, remote-username, and remote-password to be specified. "
                    + "Please see 'xe help vm-migrate' for help.");
        }
        try (XenApiSession remote = XenApiSession.login(RemoteRpc.of(line.get(MASTER), PORT, true), user, password)) {
            Ref<Host> host = host(remote, line.get("host"));
            Ref<Network> network = line.has("remote-network") ? network(remote, line.get("remote-network")) : managementNetwork(remote, host);
            var vifMap = new LinkedHashMap<Ref<VIF>, Ref<Network>>();
            vifs.forEach((vif, net) -> vifMap.put(ctx.api().byUuid(VIF.CLASS, vif), remote.byUuid(Network.CLASS, net)));
            var vdiMap = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
            vdis.forEach((vdi, sr) -> vdiMap.put(ctx.api().byUuid(VDI.CLASS, vdi), remote.byUuid(SR.CLASS, sr)));
            Optional<Ref<SR>> preferred = preferredSr(remote, host);
            for (RemoteRecord<VBD> b : ctx.api().allRecords(VBD.CLASS).values()) {
                if (!b.get(VBD.VM).equals(vm)) continue;
                Ref<VDI> vdi = b.get(VBD.VDI);
                if (Boolean.TRUE.equals(b.get(VBD.empty)) || vdi.isNull() || b.get(VBD.type) == VbdType.CD) continue;
                preferred.ifPresent(sr -> vdiMap.putIfAbsent(vdi, sr));
            }
            var options = new LinkedHashMap<String, String>();
            for (String o : List.of("force", "live", "copy")) options.put(o, Boolean.toString(line.flag(o)));
            Map<String, String> dest = remote.actions(Host.Actions.class).migrate_receive(host, network, Map.of());
            ctx.api().actions(VM.Actions.class).migrate_send(vm, dest, true, vdiMap, vifMap, options, Map.of());
        }
    }

    private static Ref<Host> host(XenApiSession remote, String wanted) {
        for (RemoteRecord<Host> h : remote.allRecords(Host.CLASS).values()) {
            if (wanted == null || wanted.equals(h.get(Host.hostname)) || wanted.equals(h.get(Host.name_label)) || wanted.equals(h.get(Host.uuid))) {
                return h.ref();
            }
        }
        throw CliFailure.failure(wanted == null ? "Failed to find a suitable host" : "Failed to find host: " + wanted);
    }

    private static Ref<Network> network(XenApiSession remote, String wanted) {
        for (RemoteRecord<Network> n : remote.allRecords(Network.CLASS).values()) {
            if (wanted.equals(n.get(Network.bridge)) || wanted.equals(n.get(Network.name_label)) || wanted.equals(n.get(Network.uuid))) return n.ref();
        }
        throw CliFailure.failure("Failed to find network: " + wanted);
    }

    private static Ref<Network> managementNetwork(XenApiSession remote, Ref<Host> host) {
        for (RemoteRecord<PIF> p : remote.allRecords(PIF.CLASS).values()) {
            if (p.get(PIF.host).equals(host) && Boolean.TRUE.equals(p.get(PIF.management))) return p.get(PIF.network);
        }
        throw CliFailure.failure("Could not find management PIF on host " + remote.get(host, Host.uuid));
    }

    /** XAPI's xe's choice for disks not mapped: an SR the host has plugged, not of ISOs, shared first, then the freest. */
    private static Optional<Ref<SR>> preferredSr(XenApiSession remote, Ref<Host> host) {
        var srs = remote.allRecords(SR.CLASS);
        List<RemoteRecord<SR>> plugged = remote.allRecords(PBD.CLASS).values().stream()
                .filter(p -> p.get(PBD.host).equals(host) && Boolean.TRUE.equals(p.get(PBD.currently_attached)))
                .map(p -> srs.get(p.get(PBD.SR))).filter(sr -> sr != null && !"iso".equals(sr.get(SR.content_type))).toList();
        Comparator<RemoteRecord<SR>> freest = Comparator.comparingLong(sr -> sr.get(SR.physical_size) - sr.get(SR.physical_utilisation));
        Optional<RemoteRecord<SR>> shared = plugged.stream().filter(sr -> Boolean.TRUE.equals(sr.get(SR.shared))).max(freest);
        return shared.or(() -> plugged.stream().max(freest)).map(RemoteRecord::ref);
    }
}
