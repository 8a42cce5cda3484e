package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.flotilla.model.ApiError;
import org.flotilla.os.IscsiSession;
import org.flotilla.os.OsException;

/**
 * An iSCSI SR's LUN, the LUN of target {@code iqn} at {@code address:port} whose SCSI id is {@code scsiId}, as the
 * storage works on it: its "files" are the extents of its {@link LunMetadata}, which the daemon reads and writes through
 * libiscsi ({@link IscsiSession}), and each VM's QEMU opens a VDI's extent with its iscsi driver under a raw node with
 * that extent's offset and size. Nothing is mounted or logged in on the host: every operation has its own session.
 * The LUN is found by its SCSI id at each session, as XAPI finds it by /dev/disk/by-scsid, so a target that numbers
 * its LUNs anew still leads to the same disk.
 */
public record IscsiLun(String address, int port, String iqn, String scsiId, IscsiSession.Chap chap, String srUuid) implements SrStore {
    /** The initiator name the daemon logs in with (QEMU's driver has its own, from the VM). */
    static final String INITIATOR = "iqn.2026-12.org.flotilla:toolstack";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The portal as libiscsi and QEMU take it: an IPv6 address in brackets. */
    public String portal() { return (address.contains(":") ? "[" + address + "]" : address) + ":" + port; }

    @Override public String where() { return "iscsi://" + portal() + "/" + iqn + "/" + scsiId; }

    /** The same LUN with the portal's address numeric, as a jailed QEMU (which has no resolver) must be given it. */
    public IscsiLun numeric() {
        try {
            return new IscsiLun(InetAddress.getByName(address).getHostAddress(), port, iqn, scsiId, chap, srUuid);
        } catch (UnknownHostException e) {
            throw BackendFailure.of(140, "Incorrect DNS name, unable to resolve.", address, "");
        }
    }

    @FunctionalInterface
    interface LunWork<T> { T on(IscsiSession s, IscsiSession.Lun lun) throws IOException; }

    /** Runs {@code work} in a session of its own, on this SR's LUN: ISCSITarget, ISCSILogin or ConfigSCSIid if it cannot be reached. */
    <T> T onLun(LunWork<T> work) throws IOException {
        try (IscsiSession s = session()) {
            IscsiSession.Lun lun = s.luns().stream().filter(l -> l.scsiId().equals(scsiId)).findFirst()
                    .orElseThrow(() -> IscsiFailure.CONFIG_SCSI_ID.error("no LUN of " + iqn + " has SCSI id " + scsiId));
            return work.on(s, lun);
        }
    }

    IscsiSession session() {
        try {
            return IscsiSession.login(portal(), iqn, INITIATOR, chap);
        } catch (OsException e) {
            if (e.errno() == IscsiSession.LOGIN_REFUSED) throw IscsiFailure.ISCSI_LOGIN.error(e.getMessage());
            throw IscsiFailure.ISCSI_TARGET.error(e.getMessage());
        }
    }

    /** The SR's table: SR_UNAVAILABLE if the LUN holds none, or another SR's. */
    LunMetadata metadata() throws IOException { return onLun(this::metadata); }

    private LunMetadata metadata(IscsiSession s, IscsiSession.Lun lun) throws IOException {
        LunMetadata m = LunMetadata.read(s, lun).orElseThrow(() -> IscsiFailure.SR_UNAVAILABLE.error(where() + " holds no SR"));
        if (!m.srUuid().equals(srUuid)) throw IscsiFailure.SR_UNAVAILABLE.error(where() + " holds SR " + m.srUuid() + ", not " + srUuid);
        return m;
    }

    /** Reads the table, changes it and writes it back, in one session. */
    @FunctionalInterface
    interface Change { LunMetadata apply(LunMetadata m) throws IOException; }

    LunMetadata change(Change how) throws IOException {
        return onLun((s, lun) -> how.apply(metadata(s, lun)).write(s, lun));
    }

    /** SR.create: a fresh table for the SR, unless the LUN holds an SR already (SRExists). */
    void format() throws IOException {
        onLun((s, lun) -> {
            var there = LunMetadata.read(s, lun);
            if (there.isPresent()) throw IscsiFailure.SR_EXISTS.error("the LUN holds SR " + there.get().srUuid());
            return LunMetadata.fresh(srUuid).write(s, lun);
        });
    }

    /** A new extent of at least {@code size} bytes named {@code name}, with its size: SR_FULL if it does not fit. */
    long allocate(String name, long size) throws IOException {
        return onLun((s, lun) -> metadata(s, lun).allocated(name, size, lun.size()).write(s, lun)).extent(name).orElseThrow().size();
    }

    @Override public List<String> names() throws IOException { return metadata().extents().stream().map(LunMetadata.Extent::name).toList(); }

    @Override public SrFiles.Entry entry(String name) throws IOException {
        return metadata().extent(name).map(e -> new SrFiles.Entry(name, SrFiles.Entry.Kind.REGULAR, e.size()))
                .orElseGet(() -> new SrFiles.Entry(name, SrFiles.Entry.Kind.ABSENT, 0));
    }

    @Override public Qcow2Header header(String name) throws IOException { throw new IOException(describe(name) + " is raw data, not a qcow2 image"); }

    @Override public void rename(String from, String to) throws IOException { change(m -> m.renamed(from, to)); }

    @Override public void link(String existing, String name) throws IOException { throw new IOException("an extent of " + where() + " has one name"); }

    @Override public void delete(String name) throws IOException {
        if (metadata().extent(name).isPresent()) change(m -> m.without(name));
    }

    /** QEMU and qemu-img reach an extent through the target alone. */
    @Override public void restrictToOwner(String name) {}

    @Override public Space space() throws IOException {
        return onLun((s, lun) -> {
            long total = LunMetadata.capacity(lun.size());
            return new Space(total, total - metadata(s, lun).used());
        });
    }

    /** SR.destroy: the table goes once no extent is left; the LUN is then free for another SR. */
    @Override public void removeIfEmpty() throws IOException {
        onLun((s, lun) -> {
            if (metadata(s, lun).extents().isEmpty()) LunMetadata.erase(s, lun);
            return null;
        });
    }

    /**
     * The extent as a raw node of its offset and size over QEMU's iscsi driver, with the SR's CHAP user and its
     * password's secret (see {@link QemuSecrets}).
     */
    @Override public ObjectNode fileNode(String name) {
        try {
            return onLun((s, lun) -> {
                LunMetadata.Extent e = metadata(s, lun).extent(name).orElseThrow(() -> new IOException(describe(name) + " is not on the LUN"));
                ObjectNode n = JSON.createObjectNode().put("driver", "raw").put("offset", e.offset()).put("size", e.size());
                ObjectNode file = n.putObject("file").put("driver", "iscsi").put("transport", "tcp").put("portal", portal())
                        .put("target", iqn).put("lun", lun.id());
                if (!chap.user().isEmpty()) file.put("user", chap.user()).put("password-secret", QemuSecrets.idFor(chap.password()));
                return n;
            });
        } catch (IOException e) {
            throw SmFailure.VDI_UNAVAILABLE.error("cannot read " + where() + ": " + e.getMessage());
        }
    }

    /** Extents are made by {@link #allocate}, never by qemu-img. */
    @Override public String target(String name) { throw ApiError.internal("an iSCSI SR's extents are not made by name: " + describe(name)); }
}
