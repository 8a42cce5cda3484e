package org.flotilla.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;

/** PBD.create, destroy, plug and unplug: whether a host has an SR attached. */
final class PbdMessages {
    private final Database db;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final SrScan scan;
    private final VdiRecords vdis;

    PbdMessages(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, SrScan scan, VdiRecords vdis) {
        this.db = db;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.scan = scan;
        this.vdis = vdis;
    }

    void register(Handlers h) {
        h.on("PBD", "create", this::create)
         .on("PBD", "destroy", c -> { destroy(c.ref("self")); return null; })
         .on("PBD", "plug", c -> { plug(c.ref("self"), true); return null; })
         .on("PBD", "unplug", c -> { unplug(c.ref("self")); return null; })
         .on("PBD", "set_device_config", c -> {
             checkLocation(c.map("value"));
             return FieldSetter.set(db, "PBD", c.ref("self"), "device_config", c.map("value"));
         });
    }

    /** A location given in a device_config must be a place for an SR (SrLocation); one left out is refused at plug. */
    private static void checkLocation(Map<String, String> deviceConfig) {
        if (deviceConfig.containsKey("location")) SrLocation.of(deviceConfig);
    }

    private Object create(Call c) {
        Map<String, Object> args = c.map("args");
        String sr = (String) args.getOrDefault("SR", ClassDef.NULL_REF);
        String host = (String) args.getOrDefault("host", ClassDef.NULL_REF);
        db.require("SR", sr);
        db.require("host", host);
        @SuppressWarnings("unchecked")
        var deviceConfig = (Map<String, String>) args.getOrDefault("device_config", Map.of());
        checkLocation(deviceConfig);
        String ref = Refs.newRef();
        db.write(tx -> {
            for (DbObject<?> p : db.where("PBD", p -> sr.equals(p.get("SR")) && host.equals(p.get("host")))) {
                throw ApiError.of("PBD_EXISTS", sr, host, p.ref());
            }
            tx.put("PBD", ref, Map.of("uuid", Refs.newUuid(), "host", host, "SR", sr,
                    "device_config", deviceConfig,
                    "other_config", args.getOrDefault("other_config", Map.of()), "currently_attached", false));
        });
        return ref;
    }

    private void destroy(String ref) {
        db.write(tx -> {
            if (db.require("PBD", ref).bool("currently_attached")) throw ApiError.of("OPERATION_NOT_ALLOWED", "PBD is currently attached");
            tx.delete("PBD", ref);
        });
    }

    /** PBD.plug: the driver checks the SR can be reached; on this host the SR's sizes are read, and scanned if {@code scan}. */
    void plug(String pbdRef, boolean scan) {
        DbObject<?> pbd = db.require("PBD", pbdRef);
        String srRef = pbd.string("SR");
        DbObject<?> sr = db.require("SR", srRef);
        SrDriver d = drivers.of(sr);
        boolean here = dirs.isThisHost(pbd.string("host"));
        locks.locked(srRef, () -> {
            Path dir = SrDirectories.location(pbd);
            d.attach(dir);
            db.write(tx -> {
                tx.set("PBD", pbdRef, "currently_attached", true);
                tx.set("SR", srRef, "allowed_operations", d.srOperations());
            });
            if (here) {
                dirs.plugged(pbdRef, dir);
                space.refresh(srRef, dir);
            }
        });
        if (scan && here) this.scan.scanOnAttach(srRef);
    }

    private void unplug(String pbdRef) {
        DbObject<?> pbd = db.require("PBD", pbdRef);
        String srRef = pbd.string("SR");
        locks.locked(srRef, () -> {
            if (!db.require("PBD", pbdRef).bool("currently_attached")) return;
            var inUse = new ArrayList<String>();
            for (DbObject<?> v : db.where("VDI", v -> srRef.equals(v.get("SR")))) if (!vdis.activeVbds(v.ref()).isEmpty()) inUse.add(v.ref());
            if (!inUse.isEmpty()) throw new ApiError("VDI_IN_USE", inUse);
            db.write(tx -> tx.set("PBD", pbdRef, "currently_attached", false));
            dirs.unplugged(pbdRef);
        });
    }
}
