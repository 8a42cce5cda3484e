package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flotilla.model.xenapi.enums.StorageOperations;
import org.flotilla.model.xenapi.enums.VdiOperations;
import org.flotilla.os.IscsiSession;

/**
 * XAPI's "lvmoiscsi" SR (SM's LVHDoISCSISR) on a LUN no host logs in to: the same device_config ({@code target},
 * {@code port}, {@code targetIQN}, {@code SCSIid}, {@code chapuser}/{@code chappassword}), the same probe answers
 * ({@link IscsiProbe}), but in place of LVM a table of thick extents at the start of the LUN ({@link LunMetadata}), each
 * VDI raw data in its extent, reached through libiscsi by the daemon and through QEMU's iscsi driver by each VM: a host
 * needs no kernel initiator and no LVM. Always shared. Extents have no copy-on-write, so no snapshot, clone or resize
 * (the SM record does not claim them, and the calls fail SR_OPERATION_NOT_SUPPORTED); and only the pool's coordinator
 * writes the table, as XAPI has the SR master do a shared SR's metadata ({@link SrMaster}). CHAP, when the
 * device_config has a user and a password, is used for the daemon's own sessions and QEMU's alike ({@link QemuSecrets}).
 */
public record IscsiSr() implements SrDriver {
    public static final String TYPE = "lvmoiscsi";
    static final String TARGET = "target";
    static final String PORT = "port";
    static final String TARGET_IQN = "targetIQN";
    static final String SCSI_ID = "SCSIid";
    static final String CHAP_USER = "chapuser";
    static final String CHAP_PASSWORD = "chappassword";
    static final int DEFAULT_PORT = 3260;
    private static final Pattern EXTENT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @Override public String type() { return TYPE; }

    @Override public String defaultContentType() { return "user"; }

    @Override public String format() { return "raw"; }

    @Override public boolean managesDisks() { return true; }

    @Override public boolean extents() { return true; }

    @Override public String smName() { return "Raw extents over iSCSI"; }

    @Override public String smDescription() { return "SR plugin which represents disks as raw extents of an iSCSI LUN reached in userspace"; }

    @Override public Map<String, String> smConfiguration() {
        var c = new LinkedHashMap<String, String>();
        c.put(SCSI_ID, "The scsi_id of the destination LUN");
        c.put(TARGET, "IP address or hostname of the iSCSI target");
        c.put(TARGET_IQN, "The IQN of the target LUN group to be attached");
        c.put(CHAP_USER, "The username to be used during CHAP authentication");
        c.put(CHAP_PASSWORD, "The password to be used during CHAP authentication");
        c.put(PORT, "The network port number on which to query the target");
        return c;
    }

    @Override public List<String> capabilities() {
        return List.of("SR_PROBE", "SR_UPDATE", "SR_SCAN", "SR_ATTACH", "SR_DETACH", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH",
                "VDI_INTRODUCE", "VDI_UPDATE", "VDI_GENERATE_CONFIG");
    }

    @Override public List<StorageOperations> srOperations() {
        return List.of(StorageOperations.scan, StorageOperations.destroy, StorageOperations.forget, StorageOperations.plug,
                StorageOperations.unplug, StorageOperations.update, StorageOperations.vdi_create, StorageOperations.vdi_introduce,
                StorageOperations.vdi_destroy, StorageOperations.pbd_create, StorageOperations.pbd_destroy);
    }

    @Override public List<VdiOperations> vdiOperations() {
        return List.of(VdiOperations.copy, VdiOperations.destroy, VdiOperations.forget, VdiOperations.update, VdiOperations.generate_config);
    }

    @Override public IscsiLun store(Map<String, String> deviceConfig, String srUuid) {
        String address = address(deviceConfig);
        int port = port(deviceConfig);
        String iqn = deviceConfig.get(TARGET_IQN);
        if (iqn == null || iqn.isEmpty()) throw IscsiFailure.CONFIG_TARGET_IQN_MISSING.error();
        String scsiId = deviceConfig.get(SCSI_ID);
        if (scsiId == null || scsiId.isEmpty()) throw IscsiFailure.CONFIG_SCSI_ID.error();
        return new IscsiLun(address, port, iqn, scsiId, chap(deviceConfig), SrFiles.requirePlainName(srUuid));
    }

    /** The target's address: the first of a comma-separated list, as BaseISCSI takes it. */
    static String address(Map<String, String> deviceConfig) {
        String target = deviceConfig.get(TARGET);
        if (target == null || target.isEmpty()) throw IscsiFailure.CONFIG_TARGET_MISSING.error();
        String first = target.split(",")[0].strip();
        return first.startsWith("[") && first.endsWith("]") ? first.substring(1, first.length() - 1) : first;
    }

    static int port(Map<String, String> deviceConfig) {
        String port = deviceConfig.get(PORT);
        if (port == null || port.isEmpty()) return DEFAULT_PORT;
        try {
            int p = Integer.parseInt(port.strip());
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // as SM: any value that is not a port number
        }
        throw IscsiFailure.ISCSI_PORT.error();
    }

    /** CHAP only with both a user and a password, as BaseISCSI.load. */
    static IscsiSession.Chap chap(Map<String, String> deviceConfig) {
        String user = deviceConfig.getOrDefault(CHAP_USER, "");
        String password = deviceConfig.getOrDefault(CHAP_PASSWORD, "");
        return user.isEmpty() || password.isEmpty() ? IscsiSession.Chap.NONE : new IscsiSession.Chap(user, password);
    }

    /** SR.create: a fresh table on the LUN, which must hold no SR yet. */
    @Override public boolean make(SrStore store) {
        try {
            ((IscsiLun) store).format();
            return true;
        } catch (IOException e) {
            throw IscsiFailure.SR_UNAVAILABLE.error(e.getMessage());
        }
    }

    /** PBD.plug: the LUN is reached and holds this SR's table. */
    @Override public void attach(SrStore store) {
        try {
            ((IscsiLun) store).metadata();
        } catch (IOException e) {
            throw IscsiFailure.SR_UNAVAILABLE.error(e.getMessage());
        }
    }

    @Override public String fileName(String location) { return location; }

    /** The extents named by a VDI's uuid; temporary ones are for the scan to remove. */
    @Override public Map<String, Found> scan(SrStore store) {
        var out = new LinkedHashMap<String, Found>();
        try {
            for (LunMetadata.Extent e : ((IscsiLun) store).metadata().extents()) {
                if (EXTENT.matcher(e.name()).matches()) out.put(e.name(), new Found(e.name(), e.size(), e.size(), null, null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
