package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.model.ApiError;

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

    @Override public Map<String, String> smConfiguration() { return Map.of("location", "path to the directory of ISO files (required)"); }

    @Override public List<String> capabilities() {
        return List.of("VDI_INTRODUCE", "VDI_ATTACH", "VDI_DETACH", "SR_SCAN", "SR_ATTACH", "SR_DETACH");
    }

    @Override public List<String> srOperations() { return List.of("scan", "forget", "plug", "unplug", "update", "vdi_introduce", "pbd_create", "pbd_destroy"); }

    @Override public List<String> vdiOperations() { return List.of("copy", "forget", "update"); }

    @Override public void make(Path dir) { attach(dir); }

    @Override public void attach(Path dir) {
        if (!Files.isDirectory(dir)) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "the ISO directory " + dir + " does not exist");
    }

    @Override public Path file(Path dir, String location) {
        Path f = dir.resolve(location).normalize();
        if (!f.getParent().equals(dir.normalize())) throw ApiError.of("VDI_LOCATION_MISSING", "", location);
        return f;
    }

    @Override public Map<String, Found> scan(Path dir) {
        var out = new LinkedHashMap<String, Found>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!name.toLowerCase(Locale.ROOT).endsWith(".iso") || !Files.isRegularFile(f)) continue;
                long size = Files.size(f);
                out.put(name, new Found(name, size, size, null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
