package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flotilla.model.xenapi.enums.StorageOperations;
import org.flotilla.model.xenapi.enums.VdiOperations;

/**
 * A local directory of qcow2 images named {@code <vdi-uuid>.qcow2}: XAPI's "file" SR (FileSR, a
 * directory given by device_config:location), with qcow2 in place of VHD. A VDI's location is its
 * uuid. Snapshots and clones are backing-file chains: see {@link Storage}.
 */
public record LocalFileSr() implements SrDriver {
    public static final String TYPE = "file";
    static final String SUFFIX = ".qcow2";
    private static final Pattern IMAGE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.qcow2");

    @Override public String type() { return TYPE; }

    @Override public String defaultContentType() { return "user"; }

    @Override public String format() { return "qcow2"; }

    @Override public boolean managesDisks() { return true; }

    @Override public String smName() { return "Local Path qcow2"; }

    @Override public String smDescription() { return "SR plugin which represents disks as qcow2 files stored on a local path"; }

    @Override public Map<String, String> smConfiguration() { return Map.of(SrLocation.KEY, "local directory path (required)"); }

    @Override public List<String> capabilities() {
        return List.of("SR_PROBE", "SR_UPDATE", "SR_SCAN", "SR_ATTACH", "SR_DETACH", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH",
                "VDI_DETACH", "VDI_INTRODUCE", "VDI_UPDATE", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE", "VDI_RESIZE_ONLINE",
                "VDI_GENERATE_CONFIG", "THIN_PROVISIONING", ChangedBlocks.CAPABILITY);
    }

    @Override public List<StorageOperations> srOperations() {
        return List.of(StorageOperations.scan, StorageOperations.destroy, StorageOperations.forget, StorageOperations.plug,
                StorageOperations.unplug, StorageOperations.update, StorageOperations.vdi_create, StorageOperations.vdi_introduce,
                StorageOperations.vdi_destroy, StorageOperations.vdi_resize, StorageOperations.vdi_clone, StorageOperations.vdi_snapshot,
                StorageOperations.vdi_enable_cbt, StorageOperations.vdi_disable_cbt, StorageOperations.vdi_data_destroy,
                StorageOperations.vdi_list_changed_blocks, StorageOperations.pbd_create, StorageOperations.pbd_destroy);
    }

    @Override public List<VdiOperations> vdiOperations() {
        return List.of(VdiOperations.clone, VdiOperations.copy, VdiOperations.resize, VdiOperations.resize_online,
                VdiOperations.snapshot, VdiOperations.destroy, VdiOperations.forget, VdiOperations.update, VdiOperations.generate_config,
                VdiOperations.enable_cbt, VdiOperations.disable_cbt, VdiOperations.data_destroy, VdiOperations.list_changed_blocks);
    }

    @Override public SrStore store(Map<String, String> deviceConfig, String srUuid) { return new LocalDir(SrLocation.of(deviceConfig)); }

    @Override public boolean make(SrStore dir) { return OwnDirectory.make(((LocalDir) dir).path()); }

    @Override public void attach(SrStore dir) { OwnDirectory.require(((LocalDir) dir).path()); }

    @Override public String fileName(String location) { return location + SUFFIX; }

    static boolean isImageName(String fileName) { return IMAGE.matcher(fileName).matches(); }

    static String locationOf(String fileName) { return fileName.substring(0, fileName.length() - SUFFIX.length()); }

    @Override public Map<String, Found> scan(SrStore dir) { return scanImages(dir); }

    /** The images named {@code <uuid>.qcow2} in the directory, each as its header describes it. */
    static Map<String, Found> scanImages(SrStore dir) {
        var out = new LinkedHashMap<String, Found>();
        try {
            for (String name : dir.names()) {
                if (isImageName(name)) out.put(locationOf(name), inspect(dir, name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** One image as its header describes it; refused if it is not a plain qcow2 file or names a backing file outside the SR. */
    static Found inspect(SrStore dir, String name) throws IOException {
        String location = locationOf(name);
        SrFiles.Entry e = dir.entry(name);
        if (!e.isRegular()) return Found.refused(location, e.problem());
        Qcow2Header h;
        try {
            h = dir.header(name);
        } catch (Qcow2Header.Malformed m) {
            return Found.refused(location, m.getMessage());
        } catch (IOException io) {
            return Found.refused(location, "it cannot be read: " + io.getMessage());
        }
        if (h.backingFile() != null && !isImageName(h.backingFile())) {
            return Found.refused(location, "its backing file " + Quoted.of(h.backingFile()) + " is not an image of this SR");
        }
        if (h.refusal() != null) return Found.refused(location, h.refusal());
        if (h.backingFile() == null) return new Found(location, h.virtualSize(), e.size(), null, null);
        String parent = locationOf(h.backingFile());
        if (parent.equals(location)) return Found.refused(location, "it is its own backing file");
        return new Found(location, h.virtualSize(), e.size(), parent, null);
    }
}
