package org.flotilla.storage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.flotilla.model.xenapi.enums.StorageOperations;
import org.flotilla.model.xenapi.enums.VdiOperations;
import org.flotilla.os.NfsSession;
import org.flotilla.os.OsException;

/**
 * XAPI's "nfs" SR (SM's NFSSR) with qcow2 in place of VHD: device_config {@code server}, {@code serverpath} and optional
 * {@code nfsversion}; the SR lives in {@code <serverpath>/<sr-uuid>} ({@link NfsDir}), which SR.create makes, its images
 * named and chained as on a file SR ({@link LocalFileSr}). Always shared: every host of the pool reaches it alike.
 * Only NFSv3: QEMU's nfs driver (libnfs, as QEMU 7.2 uses it) speaks nothing else.
 */
public record NfsSr() implements SrDriver {
    public static final String TYPE = "nfs";
    static final String SERVER = "server";
    static final String SERVER_PATH = "serverpath";
    static final String VERSION = "nfsversion";
    private static final int EROFS = 30;
    private static final int NFS_PORT = 2049;
    private static final int CONNECT_TIMEOUT_MS = 5000;

    @Override public String type() { return TYPE; }

    @Override public String defaultContentType() { return "user"; }

    @Override public String format() { return "qcow2"; }

    @Override public boolean managesDisks() { return true; }

    @Override public String smName() { return "NFS qcow2"; }

    @Override public String smDescription() { return "SR plugin which stores disks as qcow2 files on a remote NFS filesystem"; }

    @Override public Map<String, String> smConfiguration() {
        return Map.of(SERVER, "hostname or IP address of NFS server (required)", SERVER_PATH, "path on remote server (required)",
                VERSION, "NFS protocol version - 3");
    }

    @Override public List<String> capabilities() {
        return List.of("SR_PROBE", "SR_UPDATE", "SR_SCAN", "SR_ATTACH", "SR_DETACH", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH",
                "VDI_INTRODUCE", "VDI_UPDATE", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE", "VDI_RESIZE_ONLINE", "VDI_GENERATE_CONFIG",
                "THIN_PROVISIONING", ChangedBlocks.CAPABILITY);
    }

    @Override public List<StorageOperations> srOperations() { return new LocalFileSr().srOperations(); }

    @Override public List<VdiOperations> vdiOperations() { return new LocalFileSr().vdiOperations(); }

    @Override public NfsDir store(Map<String, String> deviceConfig, String srUuid) {
        String server = deviceConfig.get(SERVER);
        if (server == null || server.isEmpty()) throw NfsFailure.CONFIG_SERVER_MISSING.error();
        String path = deviceConfig.get(SERVER_PATH);
        if (path == null || path.isEmpty()) throw NfsFailure.CONFIG_SERVER_PATH_MISSING.error();
        checkVersion(deviceConfig.get(VERSION));
        if (!path.startsWith("/") || path.contains("\0") || List.of(path.split("/")).contains("..")) {
            throw NfsFailure.NFS_MOUNT.error("serverpath " + Quoted.of(path) + " is not an absolute path");
        }
        String export = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return new NfsDir(server, export, "/" + SrFiles.requirePlainName(srUuid));
    }

    /** As nfs.validate_nfsversion, then what QEMU's driver can do: 3 alone. */
    static void checkVersion(String version) {
        if (version == null || version.isEmpty() || version.equals("3")) return;
        if (!version.startsWith("4")) throw NfsFailure.NFS_VERSION.error("Invalid nfsversion.");
        throw NfsFailure.NFS_VERSION.error("Unsupported NFS version: " + version + " (QEMU's NFS driver speaks NFSv3 only)");
    }

    /** As NFSSR.create: the SR's directory is made in serverpath, or taken if it is there and empty (SRExists if not). */
    @Override public boolean make(SrStore store) {
        NfsDir dir = (NfsDir) store;
        reachable(dir.server());
        try (NfsSession nfs = mount(dir)) {
            NfsSession.Entry e = nfs.lstat(dir.dir());
            if (e.kind() == NfsSession.Kind.DIRECTORY) {
                if (!nfs.list(dir.dir()).isEmpty()) throw NfsFailure.SR_EXISTS.error();
                return true;
            }
            try {
                nfs.mkdir(dir.dir());
                return true;
            } catch (OsException x) {
                if (x.errno() == EROFS) throw NfsFailure.SHARED_FILE_SYSTEM_NO_WRITE.error("remote filesystem is read-only error is " + x.errno());
                throw NfsFailure.NFS_CREATE.error("remote directory creation error is " + x.errno());
            }
        } catch (IOException x) {
            throw NfsFailure.NFS_MOUNT.error(x.getMessage());
        }
    }

    /** As NFSSR.attach, which mounts {@code <serverpath>/<sr-uuid>}: NFSMount unless that directory is there. */
    @Override public void attach(SrStore store) {
        NfsDir dir = (NfsDir) store;
        reachable(dir.server());
        try (NfsSession nfs = mount(dir)) {
            if (nfs.lstat(dir.dir()).kind() != NfsSession.Kind.DIRECTORY) {
                throw NfsFailure.NFS_MOUNT.error(dir.where() + " is not a directory on the server");
            }
        } catch (IOException x) {
            throw NfsFailure.NFS_MOUNT.error(x.getMessage());
        }
    }

    /** As SM's util._testHost before a create, an attach or a probe: NFSTarget unless the server takes a TCP connection on the NFS port. */
    static void reachable(String server) {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress(server, NFS_PORT), CONNECT_TIMEOUT_MS);
        } catch (IOException | IllegalArgumentException e) {
            throw NfsFailure.NFS_TARGET.error();
        }
    }

    private static NfsSession mount(NfsDir dir) throws OsException { return NfsSession.mount(dir.server(), dir.export(), NfsDir.UID, NfsDir.GID); }

    @Override public String fileName(String location) { return location + LocalFileSr.SUFFIX; }

    @Override public Map<String, Found> scan(SrStore dir) { return LocalFileSr.scanImages(dir); }
}
