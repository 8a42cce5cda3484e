package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;

/** An SR's size accounting: what its file system holds and has free, and what its VDIs claim. */
final class SrSpace {
    private final Database db;

    SrSpace(Database db) { this.db = db; }

    /** SR.update: physical_size and physical_utilisation from the file system, virtual_allocation from the VDIs. */
    void refresh(String srRef, Path dir) {
        long total;
        long free;
        try {
            FileStore fs = Files.getFileStore(dir);
            total = fs.getTotalSpace();
            free = fs.getUsableSpace();
        } catch (IOException e) {
            throw unreadable(dir, e);
        }
        long allocated = db.where("VDI", v -> srRef.equals(v.get("SR")) && v.bool("managed")).stream()
                .mapToLong(v -> v.integer("virtual_size")).sum();
        db.write(tx -> {
            if (db.get("SR", srRef) == null) return;
            tx.set("SR", srRef, "physical_size", total);
            tx.set("SR", srRef, "physical_utilisation", total - free);
            tx.set("SR", srRef, "virtual_allocation", allocated);
        });
    }

    /** SR_FULL unless a VDI of {@code size} bytes fits in {@code dir}, where {@code held} of them are there already. */
    static void assertRoom(Path dir, long size, long held) {
        long free = free(dir);
        if (size - held > free) throw ApiError.of("SR_FULL", Long.toString(size), Long.toString(held + free));
    }

    static long free(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw unreadable(dir, e);
        }
    }

    private static ApiError unreadable(Path dir, IOException e) {
        return ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read the file system of " + dir + ": " + e);
    }
}
