package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flotilla.model.xenapi.enums.StorageOperations;
import org.flotilla.model.xenapi.enums.VdiOperations;

/**
 * A directory of ISO images (XAPI's "iso" SR on a local path, device_config:location): every
 * {@code .iso} file there is a read-only VDI whose location and name are its file name. The files are
 * the administrator's: the SR never makes, changes or removes them.
 */
public record IsoSr() implements SrDriver {
    public static final String TYPE = "iso";

    @Override public String type() { return TYPE; }

    @Override public String defaultContentType() { return "iso"; }

    @Override public String format() { return "raw"; }

    @Override public boolean managesDisks() { return false; }

    @Override public String smName() { return "ISO"; }

    @Override public String smDescription() { return "Handles CD images stored as files in iso format"; }

    @Override public Map<String, String> smConfiguration() { return Map.of(SrLocation.KEY, "path to the directory of ISO files (required)"); }

    @Override public List<String> capabilities() {
        return List.of("VDI_INTRODUCE", "VDI_ATTACH", "VDI_DETACH", "SR_SCAN", "SR_ATTACH", "SR_DETACH");
    }

    @Override public List<StorageOperations> srOperations() {
        return List.of(StorageOperations.scan, StorageOperations.forget, StorageOperations.plug, StorageOperations.unplug,
                StorageOperations.update, StorageOperations.vdi_introduce, StorageOperations.pbd_create, StorageOperations.pbd_destroy);
    }

    @Override public List<VdiOperations> vdiOperations() { return List.of(VdiOperations.copy, VdiOperations.forget, VdiOperations.update); }

    /** An ISO library is a directory the administrator made: the SR never makes (or removes) it. */
    @Override public SrStore store(Map<String, String> deviceConfig, String srUuid) { return new LocalDir(SrLocation.of(deviceConfig)); }

    @Override public boolean make(SrStore dir) {
        attach(dir);
        return false;
    }

    @Override public void attach(SrStore store) {
        Path dir = ((LocalDir) store).path();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw SmFailure.SR_UNAVAILABLE.error("the ISO directory " + dir + " does not exist");
        }
    }

    @Override public String fileName(String location) { return location; }

    /** Every *.iso name; a link or anything but a regular file is listed with its problem, never as an ISO. */
    @Override public Map<String, Found> scan(SrStore dir) {
        var out = new LinkedHashMap<String, Found>();
        try {
            for (String name : dir.names()) {
                if (!name.toLowerCase(Locale.ROOT).endsWith(".iso")) continue;
                SrFiles.Entry e = dir.entry(name);
                out.put(name, e.isRegular() ? new Found(name, e.size(), e.size(), null, null) : Found.refused(name, e.problem()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
