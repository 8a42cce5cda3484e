package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.flotilla.os.NfsSession;

/**
 * An NFS SR's directory, {@code <serverpath>/<sr-uuid>} on {@code server}'s export {@code serverpath}, as XAPI's NFS SR
 * lays it out. Nothing mounts it: the daemon reaches it through libnfs ({@link NfsSession}), qemu-img through its nfs
 * driver, and each VM's QEMU opens its layers with {@code driver=nfs}. Everyone presents {@link #UID}/{@link #GID}, root,
 * whatever uid they run as: images are root's alone (0600, as on a file SR), so the jailed QEMU of any VM on any host,
 * and the destination of a migration with another jail uid, opens them; the export must not squash root (as XAPI's
 * NFS SR needs). {@code dir} is absolute within the export.
 */
public record NfsDir(String server, String export, String dir) implements SrStore {
    public static final int UID = 0;
    public static final int GID = 0;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override public String where() { return "nfs://" + urlHost() + export + dir; }

    /** The server as a URL names it: an IPv6 address in brackets. */
    private String urlHost() { return server.contains(":") ? "[" + server + "]" : server; }

    /** A file's path from the server's root, as the nfs drivers of QEMU and qemu-img take it. */
    public String serverPath(String name) { return export + dir + "/" + SrFiles.requirePlainName(name); }

    private String path(String name) { return dir + "/" + SrFiles.requirePlainName(name); }

    NfsSession session() throws IOException { return NfsSession.mount(server, export, UID, GID); }

    @Override public List<String> names() throws IOException {
        try (var nfs = session()) {
            return nfs.list(dir).stream().map(NfsSession.Entry::name).sorted().toList();
        }
    }

    @Override public SrFiles.Entry entry(String name) throws IOException {
        try (var nfs = session()) {
            NfsSession.Entry e = nfs.lstat(path(name));
            SrFiles.Entry.Kind kind = switch (e.kind()) {
                case ABSENT -> SrFiles.Entry.Kind.ABSENT;
                case REGULAR -> SrFiles.Entry.Kind.REGULAR;
                case SYMLINK -> SrFiles.Entry.Kind.SYMLINK;
                case DIRECTORY, OTHER -> SrFiles.Entry.Kind.OTHER;
            };
            return new SrFiles.Entry(name, kind, kind == SrFiles.Entry.Kind.REGULAR ? e.size() : 0);
        }
    }

    /** A link is refused before it is opened; NFS has no FIFO or device that a read could block on or reach. */
    @Override public Qcow2Header header(String name) throws IOException, Qcow2Header.Malformed {
        try (var nfs = session()) {
            if (nfs.lstat(path(name)).kind() != NfsSession.Kind.REGULAR) throw new IOException(describe(name) + " is not a regular file");
            try (SeekableByteChannel ch = nfs.openForReading(path(name))) {
                return Qcow2Header.read(ch);
            }
        }
    }

    @Override public void rename(String from, String to) throws IOException {
        try (var nfs = session()) {
            nfs.rename(path(from), path(to));
        }
    }

    @Override public void link(String existing, String name) throws IOException {
        try (var nfs = session()) {
            nfs.link(path(existing), path(name));
        }
    }

    @Override public void delete(String name) throws IOException {
        try (var nfs = session()) {
            if (nfs.lstat(path(name)).kind() != NfsSession.Kind.ABSENT) nfs.unlink(path(name));
        }
    }

    /** qemu-img's nfs driver makes files 0600 already (libnfs creates with that mode). */
    @Override public void restrictToOwner(String name) {}

    @Override public Space space() throws IOException {
        try (var nfs = session()) {
            NfsSession.Space s = nfs.space(dir);
            return new Space(s.total(), s.free());
        }
    }

    @Override public void removeIfEmpty() throws IOException {
        try (var nfs = session()) {
            if (nfs.lstat(dir).kind() == NfsSession.Kind.DIRECTORY && nfs.list(dir).isEmpty()) nfs.rmdir(dir);
        }
    }

    @Override public ObjectNode fileNode(String name) {
        ObjectNode n = JSON.createObjectNode().put("driver", "nfs");
        n.putObject("server").put("type", "inet").put("host", server);
        return n.put("path", serverPath(name)).put("user", UID).put("group", GID);
    }

    /** An nfs:// URL, its path quoted where a URL needs it (a space in an export's name, say). */
    @Override public String target(String name) {
        try {
            return new URI("nfs", urlHost(), serverPath(name), "uid=" + UID + "&gid=" + GID, null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no URL for " + serverPath(name) + " on " + server, e);
        }
    }
}
