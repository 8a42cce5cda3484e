package org.flotilla.storage;

import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;

/** PBD.create, destroy, plug, unplug and set_device_config: whether a host has an SR attached, and where. */
public final class Pbds {
    private final Database db;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final SrScan scan;
    private final VdiRecords records;

    Pbds(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, SrScan scan, VdiRecords records) {
        this.db = db;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.scan = scan;
        this.records = records;
    }

    /** A location given in a device_config must be a place for an SR (SrLocation); one left out is refused at plug. */
    private static void checkLocation(Map<String, String> deviceConfig) {
        if (deviceConfig.containsKey(SrLocation.KEY)) SrLocation.of(deviceConfig);
    }

    /** PBD.create: one PBD per SR and host (PBD_EXISTS), not yet attached. */
    public Ref<PBD> create(Rec<PBD> args) {
        Ref<SR> sr = Objects.requireNonNullElse(args.get(PBD.SR), SR.CLASS.nullRef());
        Ref<Host> host = Objects.requireNonNullElse(args.get(PBD.host), Host.CLASS.nullRef());
        db.require(sr);
        db.require(host);
        Map<String, String> deviceConfig = Objects.requireNonNullElse(args.get(PBD.device_config), Map.of());
        checkLocation(deviceConfig);
        Ref<PBD> ref = Refs.newRef(PBD.CLASS);
        db.write(tx -> {
            for (DbObject<PBD> p : db.referring(PBD.SR, sr)) {
                if (host.equals(p.get(PBD.host))) throw ApiError.of("PBD_EXISTS", sr.value(), host.value(), p.ref());
            }
            tx.put(ref, db.newRecord(PBD.CLASS)
                    .set(PBD.uuid, Refs.newUuid())
                    .set(PBD.host, host)
                    .set(PBD.SR, sr)
                    .set(PBD.device_config, deviceConfig)
                    .set(PBD.other_config, Objects.requireNonNullElse(args.get(PBD.other_config), Map.of()))
                    .set(PBD.currently_attached, false));
        });
        return ref;
    }

    /** PBD.destroy: refused while plugged. */
    public void destroy(Ref<PBD> ref) {
        db.write(tx -> {
            if (db.require(ref).get(PBD.currently_attached)) throw ApiError.of("OPERATION_NOT_ALLOWED", "PBD is currently attached");
            tx.delete(ref);
        });
    }

    /** PBD.set_device_config: a location is checked now, and taken at the next plug (SrDirectories). */
    public void setDeviceConfig(Ref<PBD> ref, Map<String, String> value) {
        checkLocation(value);
        db.write(tx -> tx.set(ref, PBD.device_config, value));
    }

    /**
     * PBD.plug, on the PBD's host alone (CANNOT_CONTACT_HOST for another's): the driver checks the SR can be reached,
     * the SR's sizes are read, and it is scanned if {@code scan}.
     */
    public void plug(Ref<PBD> ref, boolean scan) {
        DbObject<PBD> pbd = db.require(ref);
        dirs.requireThisHost(pbd);
        Ref<SR> sr = pbd.get(PBD.SR);
        SrDriver d = drivers.of(db.require(sr));
        locks.locked(sr, () -> {
            SrStore dir = dirs.location(pbd);
            d.attach(dir);
            DbObject<SR> record = db.require(sr);
            if (record.get(SR.shared)) SharedSrMark.require(dir, record.get(SR.uuid));
            db.write(tx -> {
                tx.set(ref, PBD.currently_attached, true);
                tx.set(sr, SR.allowed_operations, d.srOperations());
            });
            dirs.plugged(ref, dir);
            space.refresh(sr, dir);
        });
        if (scan) this.scan.scanOnAttach(sr);
    }

    /**
     * PBD.unplug, on the PBD's host alone: refused (VDI_IN_USE) while a VM on this host has one of the SR's disks open;
     * VMs on other hosts reach a shared SR through their own PBDs (XAPI's get_active_vdis_by_pbd).
     */
    public void unplug(Ref<PBD> ref) {
        DbObject<PBD> pbd = db.require(ref);
        dirs.requireThisHost(pbd);
        Ref<SR> sr = pbd.get(PBD.SR);
        locks.locked(sr, () -> {
            if (!db.require(ref).get(PBD.currently_attached)) return;
            var inUse = new ArrayList<String>();
            for (DbObject<VDI> v : db.referring(VDI.SR, sr)) {
                if (records.activeVbds(v.self(VDI.CLASS)).stream().anyMatch(b -> residentOn(b.get(VBD.VM), pbd.get(PBD.host)))) inUse.add(v.ref());
            }
            if (!inUse.isEmpty()) throw new ApiError("VDI_IN_USE", inUse);
            db.write(tx -> tx.set(ref, PBD.currently_attached, false));
            dirs.unplugged(ref);
        });
    }

    private boolean residentOn(Ref<VM> vm, Ref<Host> host) {
        DbObject<VM> v = db.get(vm);
        return v != null && host.equals(v.get(VM.resident_on));
    }
}
