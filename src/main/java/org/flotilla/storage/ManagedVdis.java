package org.flotilla.storage;

import java.nio.file.Path;
import java.util.function.Function;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/** Changes to a managed VDI's image: made under its SR's lock, with what they need looked up under that lock. */
final class ManagedVdis {
    private final Database db;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final VdiRecords vdis;
    private final VdiLayers layers;

    ManagedVdis(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, VdiRecords vdis, VdiLayers layers) {
        this.db = db;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.vdis = vdis;
        this.layers = layers;
    }

    /** A managed VDI as a change sees it: its record, its SR, the SR's driver and its directory on this host. */
    record Open(DbObject<?> vdi, String srRef, SrDriver driver, Path dir, VdiLayers layers) {
        Path image() { return driver.file(dir, vdi.string("location")); }

        /** Its chain, checked now (VdiLayers): what a change that reads or writes the image works from. */
        VdiLayers.Verified chain() { return layers.of(vdi, driver, dir); }
    }

    /** Runs {@code change} under the lock of the VDI's SR: VDI_NOT_MANAGED, SR_OPERATION_NOT_SUPPORTED, SR_HAS_NO_PBDS first. */
    <T> T change(String vdiRef, Function<Open, T> change) {
        String srRef = db.require("VDI", vdiRef).string("SR");
        return locks.locked(srRef, () -> {
            DbObject<?> v = vdis.managed(vdiRef);
            SrDriver d = drivers.managing(db.require("SR", srRef));
            return change.apply(new Open(v, srRef, d, dirs.attached(srRef), layers));
        });
    }
}
