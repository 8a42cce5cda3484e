package org.flotilla.pool;

import org.flotilla.db.Database;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_cpu;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;

/** A host's records in the pool database, as they go when the host leaves the pool. */
public final class HostRecords {
    private HostRecords() {}

    /**
     * Removes the host with its metrics, CPUs, control domain (and its console), PIFs, PBDs and the SRs only it reached (with their
     * disks); VMs it ran are left halted, as after a crash of the host.
     */
    public static void forget(Database db, Ref<Host> host) {
        db.write(tx -> {
            var record = db.require(host);
            for (var cpu : db.referring(Host_cpu.host, host)) tx.delete(cpu.self(Host_cpu.CLASS));
            for (var pif : db.referring(PIF.host, host)) {
                tx.delete(pif.self(PIF.CLASS));
                if (db.exists(pif.get(PIF.metrics))) tx.delete(pif.get(PIF.metrics));
            }
            for (var pbd : db.referring(PBD.host, host)) {
                tx.delete(pbd.self(PBD.CLASS));
                Ref<SR> sr = pbd.get(PBD.SR);
                if (db.exists(sr) && db.referring(PBD.SR, sr).size() == 1) {
                    for (var vdi : db.referring(VDI.SR, sr)) tx.delete(vdi.self(VDI.CLASS));
                    tx.delete(sr);
                }
            }
            for (var vm : db.referring(VM.resident_on, host)) {
                if (vm.get(VM.is_control_domain)) continue;
                tx.set(vm.self(VM.CLASS), VM.power_state, VmPowerState.Halted);
                tx.set(vm.self(VM.CLASS), VM.resident_on, Host.CLASS.ref(Ref.NULL));
            }
            Ref<VM> dom0 = record.get(Host.control_domain);
            for (var console : db.referring(Console.VM, dom0)) tx.delete(console.self(Console.CLASS));
            if (db.exists(dom0)) tx.delete(dom0);
            if (db.exists(record.get(Host.metrics))) tx.delete(record.get(Host.metrics));
            tx.delete(host);
        });
        PoolCpuInfo.refresh(db);
    }
}
