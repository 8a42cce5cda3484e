package org.flotilla.pool;

import java.util.HashSet;
import java.util.Set;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
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

/**
 * Whether a VM could run on any host of the pool, as XAPI's agility.ml decides it for VM.assert_agile: no vGPU
 * or USB device, every disk on an SR marked shared that every enabled host has plugged, every NIC on a network
 * every enabled host has a PIF on (not a bond's member).
 */
public final class Agility {
    private final Database db;

    public Agility(Database db) { this.db = db; }

    public void assertAgile(Ref<VM> vmRef) {
        db.require(vmRef);
        if (!db.related(vmRef, VM.VGPUs).isEmpty()) throw ApiError.of("VM_HAS_VGPU", vmRef.value());
        if (!db.related(vmRef, VM.VUSBs).isEmpty()) throw ApiError.of("VM_HAS_VUSBS", vmRef.value());
        for (Ref<VBD> vbd : db.related(vmRef, VM.VBDs)) {
            DbObject<VBD> b = db.get(vbd);
            if (b == null || Boolean.TRUE.equals(b.get(VBD.empty))) continue;
            DbObject<VDI> vdi = b.get(VBD.VDI).isNull() ? null : db.get(b.get(VBD.VDI));
            if (vdi != null && !srShared(vdi.get(VDI.SR))) {
                throw ApiError.of("HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED", vdi.get(VDI.SR).value());
            }
        }
        for (Ref<VIF> vif : db.related(vmRef, VM.VIFs)) {
            DbObject<VIF> v = db.get(vif);
            if (v != null && !networkShared(v.get(VIF.network))) {
                throw ApiError.of("HA_CONSTRAINT_VIOLATION_NETWORK_NOT_SHARED", v.get(VIF.network).value());
            }
        }
    }

    private boolean srShared(Ref<SR> srRef) {
        DbObject<SR> sr = db.get(srRef);
        if (sr == null || !Boolean.TRUE.equals(sr.get(SR.shared))) return false;
        var plugged = new HashSet<Ref<Host>>();
        for (DbObject<PBD> pbd : db.referring(PBD.SR, srRef)) {
            if (Boolean.TRUE.equals(pbd.get(PBD.currently_attached))) plugged.add(pbd.get(PBD.host));
        }
        return plugged.containsAll(enabledHosts());
    }

    private boolean networkShared(Ref<Network> net) {
        var withPif = new HashSet<Ref<Host>>();
        for (DbObject<PIF> pif : db.referring(PIF.network, net)) {
            if (pif.get(PIF.bond_slave_of).isNull()) withPif.add(pif.get(PIF.host));
        }
        return withPif.containsAll(enabledHosts());
    }

    private Set<Ref<Host>> enabledHosts() {
        var out = new HashSet<Ref<Host>>();
        for (DbObject<Host> h : db.all(Host.CLASS)) if (Boolean.TRUE.equals(h.get(Host.enabled))) out.add(h.self(Host.CLASS));
        return out;
    }
}
