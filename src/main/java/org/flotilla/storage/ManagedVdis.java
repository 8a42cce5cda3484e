package org.flotilla.storage;

import java.util.function.Function;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;

/** Changes to a managed VDI's image: made under its SR's lock, with what they need looked up under that lock. */
final class ManagedVdis {
    private final Database db;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final VdiRecords records;
    private final VdiLayers layers;
    private final SrMaster master;

    ManagedVdis(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, VdiRecords records, VdiLayers layers, SrMaster master) {
        this.db = db;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.records = records;
        this.layers = layers;
        this.master = master;
    }

    /** A managed VDI as a change sees it: its record, its SR, the SR's driver and its directory on this host. */
    record Open(DbObject<VDI> vdi, Ref<SR> sr, SrDriver driver, SrStore dir, VdiLayers layers) {
        /** The name of its image in the SR's directory. */
        String image() { return driver.fileName(vdi.get(VDI.location)); }

        /** Its chain, checked now (VdiLayers): what a change that reads or writes the image works from. */
        VdiLayers.Verified chain() { return layers.of(vdi, driver, dir); }

        /** SR_OPERATION_NOT_SUPPORTED, as XAPI where the SM lacks the capability, on an SR whose VDIs are extents. */
        void requireImages() {
            if (driver.extents()) throw ApiError.of("SR_OPERATION_NOT_SUPPORTED", sr.value());
        }
    }

    /** Runs {@code change} under the lock of the VDI's SR: VDI_NOT_MANAGED, SR_OPERATION_NOT_SUPPORTED, SR_HAS_NO_PBDS first. */
    <T> T change(Ref<VDI> vdi, Function<Open, T> change) {
        Ref<SR> sr = db.require(vdi).get(VDI.SR);
        return locks.locked(sr, () -> {
            DbObject<VDI> v = records.managed(vdi);
            SrDriver d = drivers.managing(db.require(sr));
            master.require(d);
            return change.apply(new Open(v, sr, d, dirs.attached(sr), layers));
        });
    }
}
