package org.flotilla.storage;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flotilla.os.NfsSession;
import org.flotilla.os.OsException;

/**
 * SR.probe for type nfs, answering as SM's NFSSR.probe does: without a serverpath, SR_BACKEND_FAILURE_101 whose third
 * parameter (the driver's stderr in XAPI) is the XML list of the server's exports, from its MOUNT service as
 * {@code showmount -e} reads it; with one, the SRs found there — directories named by a uuid — as {@code <SRlist>}.
 * The XML is laid out as Python's minidom writes it (toprettyxml), which is what clients have always parsed.
 */
final class NfsProbe {
    /** device_config key that asks a probe for the NFS versions too (NFSSR's PROBEVERSION). */
    private static final String PROBE_VERSION = "probeversion";
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private NfsProbe() {}

    static String probe(Map<String, String> deviceConfig) {
        String server = deviceConfig.get(NfsSr.SERVER);
        if (server == null || server.isEmpty()) throw NfsFailure.CONFIG_SERVER_MISSING.error();
        NfsSr.reachable(server);
        String path = deviceConfig.get(NfsSr.SERVER_PATH);
        if (path == null || path.isEmpty()) throw NfsFailure.CONFIG_SERVER_PATH_MISSING.error(null, exports(server));
        NfsSr.checkVersion(deviceConfig.get(NfsSr.VERSION));
        List<String> srs;
        try (var nfs = NfsSession.mount(server, path, NfsDir.UID, NfsDir.GID)) {
            srs = nfs.list("/").stream().filter(e -> e.kind() == NfsSession.Kind.DIRECTORY && UUID.matcher(e.name()).matches())
                    .map(NfsSession.Entry::name).sorted().toList();
        } catch (OsException e) {
            throw NfsFailure.NFS_MOUNT.error(e.getMessage());
        }
        boolean versions = deviceConfig.containsKey(PROBE_VERSION);
        if (srs.isEmpty() && !versions) return MinidomXml.HEADER + "<SRlist/>\n";
        var xml = new StringBuilder(MinidomXml.HEADER).append("<SRlist>\n");
        for (String uuid : srs) xml.append("\t<SR>\n\t\t<UUID>").append(uuid).append("</UUID>\n\t</SR>\n");
        // the versions an SR here could use: QEMU's driver speaks 3 alone, whatever else the server offers
        if (versions) xml.append("\t<SupportedVersions>\n\t\t<Version>3</Version>\n\t</SupportedVersions>\n");
        return xml.append("</SRlist>\n").toString();
    }

    /** The exports as nfs.scan_exports lists them: Target, Path and Accesslist (showmount's groups, "(everyone)" for none). */
    private static String exports(String server) {
        List<NfsSession.Export> exports;
        try {
            exports = NfsSession.exports(server);
        } catch (OsException e) {
            throw NfsFailure.NFS_MOUNT.error("Failed to read NFS export paths from server " + server);
        }
        if (exports.isEmpty()) return MinidomXml.HEADER + "<nfs-exports/>\n";
        var xml = new StringBuilder(MinidomXml.HEADER).append("<nfs-exports>\n");
        for (NfsSession.Export e : exports) {
            String access = e.groups().isEmpty() ? "(everyone)" : String.join(",", e.groups());
            xml.append("\t<Export>\n")
                    .append("\t\t<Target>").append(MinidomXml.escape(server)).append("</Target>\n")
                    .append("\t\t<Path>").append(MinidomXml.escape(e.dir())).append("</Path>\n")
                    .append("\t\t<Accesslist>").append(MinidomXml.escape(access)).append("</Accesslist>\n")
                    .append("\t</Export>\n");
        }
        return xml.append("</nfs-exports>\n").toString();
    }
}
