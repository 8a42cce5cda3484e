package org.flotilla.runtime.devices;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VifOperations;
import org.flotilla.os.Fd;
import org.flotilla.os.OsException;
import org.flotilla.os.Tap;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpErrorException;
import org.flotilla.qemu.QmpException;
import org.flotilla.qemu.QmpFds;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.launch.LaunchSpecs;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.launch.VifBackend;
import org.flotilla.runtime.launch.VifTaps;
import org.flotilla.vm.VifLifecycle;
import org.flotilla.vm.VmAllowedOperations;

/**
 * VIF.plug, unplug and unplug_force under a running QEMU. Plug: a tap on the network's bridge, QMP
 * {@code netdev_add} on it and {@code device_add} of a virtio NIC on the VIF's root port. Unplug: {@code device_del},
 * which the guest must acknowledge (PCIe native hot-plug: Linux waits about 5 s after the attention button
 * before it lets go), then {@code netdev_del} and the tap removed. Each runs as the VIF's current operation.
 */
public final class VifHotplug {
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(30);
    /** unplug_force waits less, then cuts the NIC off its network whether the guest let go of it or not. */
    private static final Duration FORCE_RELEASE_WAIT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(VifHotplug.class.getName());

    private final Database db;
    private final Domains domains;
    private final VifTaps taps;
    private final DeviceOperations deviceOps;
    private final VmAllowedOperations vmOps;

    public VifHotplug(Database db, Domains domains, VifTaps taps, DeviceOperations deviceOps, VmAllowedOperations vmOps) {
        this.db = db;
        this.domains = domains;
        this.taps = taps;
        this.deviceOps = deviceOps;
        this.vmOps = vmOps;
    }

    public void plug(Call c, Ref<VIF> vifRef) {
        asOperation(c, vifRef, VifOperations.plug, () -> {
            DbObject<VIF> vif = db.require(vifRef);
            Ref<VM> vmRef = vif.get(VIF.VM);
            String device = vif.get(VIF.device);
            Domain d = domains.running(vmRef);
            Qmp qmp = d.qmp;
            if (QemuCommand.slot(new QemuCommand.Nic(device, null, null)) >= QemuCommand.NIC_PORTS) throw ApiError.of("INVALID_DEVICE", device);
            VifBackend.TapDevice tap = taps.attach(vifRef, vmRef);
            var nic = new QemuCommand.Nic(device, tap.name(), LaunchSpecs.mac(tap, vif));
            try {
                addNetdev(d, nic);
                try {
                    qmp.execute("device_add", QemuCommand.device(nic, null));
                } catch (QmpException e) {
                    try { qmp.execute("netdev_del", Map.of("id", nic.netdevId())); } catch (QmpException ignored) { }
                    throw e;
                }
            } catch (QmpException | RuntimeException e) {
                taps.detach(vifRef);
                throw e;
            }
        });
    }

    /**
     * The NIC's backend on its tap, opened by the daemon and handed over on the descriptor monitor, where the
     * name getfd gives it is known to netdev_add.
     */
    private static void addNetdev(Domain d, QemuCommand.Nic nic) throws QmpException {
        try (Fd tap = Tap.open(nic.tap())) {
            QmpFds.session(d.fdSocket(), s -> {
                s.getfd(nic.netdevId(), tap);
                return s.execute("netdev_add", QemuCommand.netdev(nic, nic.netdevId()), List.of());
            });
        } catch (OsException e) {
            throw ApiError.internal("cannot open the tap " + nic.tap() + ": " + e.getMessage());
        }
    }

    public void unplug(Call c, Ref<VIF> vifRef, boolean force) {
        asOperation(c, vifRef, VifOperations.unplug, () -> {
            DbObject<VIF> vif = db.require(vifRef);
            Domain d = domains.running(vif.get(VIF.VM));
            var nic = new QemuCommand.Nic(vif.get(VIF.device), null, null);
            if (awaitRelease(d.qmp, nic.deviceId(), force ? FORCE_RELEASE_WAIT : RELEASE_WAIT)) {
                releaseBackend(d.qmp, vifRef, nic);
            } else if (force) {
                cutOff(d.qmp, vifRef, nic);
            } else {
                throw ApiError.of("DEVICE_DETACH_REJECTED", VIF.CLASS.name(), vifRef.value(), "the guest did not release device " + nic.deviceId());
            }
        });
    }

    /**
     * A NIC the guest let go of after its unplug had given up waiting (DEVICE_DELETED arrived late), or after an
     * unplug_force cut it off: its backend and tap go too, and the VIF is recorded detached.
     */
    public void released(Domain d, String deviceId) {
        for (DbObject<VIF> vif : db.referring(VIF.VM, d.vmRef)) {
            var nic = new QemuCommand.Nic(vif.get(VIF.device), null, null);
            Map<String, VifOperations> busy = vif.get(VIF.current_operations);
            if (!nic.deviceId().equals(deviceId) || (busy != null && !busy.isEmpty())) continue;
            Ref<VIF> ref = vif.self(VIF.CLASS);
            try {
                releaseBackend(d.qmp, ref, nic);
                deviceOps.updateVif(ref);
                vmOps.update(d.vmRef); // its memory may move again
            } catch (QmpException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot let go of VIF " + vif.ref() + " after the guest released it: " + e);
            }
        }
    }

    /** device_del and the guest's DEVICE_DELETED within {@code wait}; true if the device is gone. */
    private static boolean awaitRelease(Qmp qmp, String deviceId, Duration wait) throws QmpException, InterruptedException {
        long mark = qmp.eventMark();
        try {
            qmp.execute("device_del", Map.of("id", deviceId));
        } catch (QmpErrorException e) {
            if (!present(qmp, deviceId)) return true;
            // an earlier unplug of it is still pending in the guest: wait for that one
        }
        try {
            qmp.awaitEvent(mark, "DEVICE_DELETED", e -> deviceId.equals(e.dataText("device")), wait);
            return true;
        } catch (TimeoutException e) {
            return !present(qmp, deviceId);
        }
    }

    private static boolean present(Qmp qmp, String deviceId) throws QmpException {
        for (var p : qmp.execute("qom-list", Map.of("path", "/machine/peripheral"))) {
            if (deviceId.equals(p.path("name").asText())) return true;
        }
        return false;
    }

    /** The NIC's backend closed (QEMU lets go of the tap) and the tap removed: the VIF is detached. */
    private void releaseBackend(Qmp qmp, Ref<VIF> vifRef, QemuCommand.Nic nic) throws QmpException {
        try {
            qmp.execute("netdev_del", Map.of("id", nic.netdevId()));
        } catch (QmpErrorException e) {
            // already gone
        }
        taps.detach(vifRef);
    }

    /**
     * A NIC the guest still holds, off its network: its link down (the guest sees the cable pulled) and its tap off the
     * bridge. The backend stays, its tap open, until the guest lets go of the NIC or the VM stops.
     */
    private void cutOff(Qmp qmp, Ref<VIF> vifRef, QemuCommand.Nic nic) throws QmpException {
        qmp.execute("set_link", Map.of("name", nic.deviceId(), "up", false));
        taps.cutOff(vifRef);
        vmOps.update(db.require(vifRef).get(VIF.VM)); // its memory may not move while the guest holds the NIC
    }

    /** Runs {@code body} as XAPI marks a VIF operation: checked, listed in current_operations while it runs. */
    private void asOperation(Call c, Ref<VIF> vifRef, VifOperations op, CurrentOperations.Body body) {
        String key = CurrentOperations.key(c);
        db.write(tx -> {
            DbObject<VIF> vif = db.require(vifRef);
            ApiError e = VifLifecycle.check(db.require(vif.get(VIF.VM)), vif, op);
            if (e != null) throw e;
            var ops = new LinkedHashMap<>(vif.get(VIF.current_operations));
            ops.put(key, op);
            tx.set(vifRef, VIF.current_operations, ops);
        });
        deviceOps.updateVif(vifRef);
        try {
            CurrentOperations.runMappingErrors(VIF.CLASS.name() + "." + op.wire(), body);
        } finally {
            db.write(tx -> {
                DbObject<VIF> vif = db.get(vifRef);
                if (vif == null) return;
                var ops = new LinkedHashMap<>(vif.get(VIF.current_operations));
                ops.remove(key);
                tx.set(vifRef, VIF.current_operations, ops);
            });
            deviceOps.updateVif(vifRef);
        }
    }
}
