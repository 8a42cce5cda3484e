package org.flotilla.storage;

import java.io.IOException;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;

/** An SR's size accounting: what its file system holds and has free, and what its VDIs claim. */
final class SrSpace {
    private final Database db;

    SrSpace(Database db) { this.db = db; }

    /** SR.update: physical_size and physical_utilisation from the file system, virtual_allocation from the VDIs. */
    void refresh(Ref<SR> sr, SrStore dir) {
        SrStore.Space s = read(dir);
        long total = s.total();
        long free = s.free();
        long allocated = db.referring(VDI.SR, sr).stream().filter(v -> v.get(VDI.managed))
                .mapToLong(v -> v.get(VDI.virtual_size)).sum();
        db.write(tx -> {
            if (!db.exists(sr)) return;
            tx.set(sr, SR.physical_size, total);
            tx.set(sr, SR.physical_utilisation, total - free);
            tx.set(sr, SR.virtual_allocation, allocated);
        });
    }

    /** SR_FULL unless a VDI of {@code size} bytes fits in {@code dir}, where {@code held} of them are there already. */
    static void assertRoom(SrStore dir, long size, long held) {
        long free = read(dir).free();
        if (size - held > free) throw ApiError.of("SR_FULL", Long.toString(size), Long.toString(held + free));
    }

    private static SrStore.Space read(SrStore dir) {
        try {
            return dir.space();
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read the file system of " + dir.where() + ": " + e);
        }
    }
}
