package org.flotilla.storage;

import static org.flotilla.storage.NbdConnection.FLAG_FIXED_NEWSTYLE;
import static org.flotilla.storage.NbdConnection.FLAG_NO_ZEROES;
import static org.flotilla.storage.NbdConnection.IHAVEOPT;
import static org.flotilla.storage.NbdConnection.NBDMAGIC;
import static org.flotilla.storage.NbdConnection.OPT_EXPORT_NAME;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VDI;

/**
 * XAPI's NBD server (xapi-nbd): VDIs read over NBD with TLS, each by the export name VDI.get_nbd_info gave,
 * {@code /<vdi uuid>?session_id=<session>}. The daemon speaks the handshake itself (fixed newstyle, STARTTLS with the
 * host's certificate, then NBD_OPT_EXPORT_NAME, as Xen Orchestra sends it, or NBD_OPT_GO/INFO) so that the session in
 * the name is checked before anything is served and no client can list the names of others' exports (QEMU's own server
 * answers NBD_OPT_LIST with every name, and these carry sessions). Once a name is accepted, a qemu-storage-daemon serves
 * the VDI's chain read-only on a unix socket of the daemon's ({@link DiskStreams#serve}) and the connection is relayed
 * to it byte for byte: reads, block status and the rest of transmission are QEMU's. Simple replies only, since the
 * daemon's own connection to QEMU negotiates nothing more.
 */
public final class NbdServer implements AutoCloseable {
    /** XAPI's port for NBD. */
    public static final int PORT = 10809;
    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());
    private static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    private static final int OPT_ABORT = 2;
    private static final int OPT_LIST = 3;
    private static final int OPT_STARTTLS = 5;
    private static final int OPT_INFO = 6;
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REP_INFO = 3;
    private static final int REP_ERR_UNSUP = 0x80000001;
    private static final int REP_ERR_POLICY = 0x80000002;
    private static final int REP_ERR_INVALID = 0x80000003;
    private static final int REP_ERR_TLS_REQD = 0x80000005;
    private static final int REP_ERR_UNKNOWN = 0x80000006;
    private static final int INFO_EXPORT = 0;
    /** How long a client may take over each step of the handshake; transmission has no limit (a backup may pause). */
    private static final int HANDSHAKE_MILLIS = 60_000;
    /** Options are small; a longer one is a client to stop listening to. */
    private static final int MAX_OPTION = 4096 + 64;

    /** Which VDI an export name stands for, if the session it carries may read it; null otherwise. */
    public interface Authority {
        Ref<VDI> vdiFor(String exportName);
    }

    private final ServerSocket listener;
    private final SSLContext tls;
    private final Authority authority;
    private final Storage storage;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private NbdServer(ServerSocket listener, SSLContext tls, Authority authority, Storage storage) {
        this.listener = listener;
        this.tls = tls;
        this.authority = authority;
        this.storage = storage;
    }

    /** Listens on {@code address}:{@code port} (0: any free port) and serves each client on a virtual thread of its own. */
    public static NbdServer start(InetAddress address, int port, SSLContext tls, Authority authority, Storage storage) throws IOException {
        var listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(address, port));
        var server = new NbdServer(listener, tls, authority, storage);
        Thread.ofVirtual().name("nbd-accept").start(server::accept);
        return server;
    }

    /** The port it listens on. */
    public int port() { return listener.getLocalPort(); }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                open.add(s);
                Thread.ofVirtual().name("nbd-client").start(() -> {
                    try (s) {
                        serve(s);
                    } catch (IOException | RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "NBD client " + s.getRemoteSocketAddress() + ": " + e.getMessage());
                    } finally {
                        open.remove(s);
                    }
                });
            } catch (IOException e) {
                if (!listener.isClosed()) LOG.log(System.Logger.Level.WARNING, "NBD accept: " + e.getMessage());
            }
        }
    }

    /** A client's side of the conversation: the plain part, the part under TLS. */
    private record Peer(Socket socket, DataInputStream in, DataOutputStream out, boolean noZeroes) {
        static Peer of(Socket s, boolean noZeroes) throws IOException {
            return new Peer(s, new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()), noZeroes);
        }

        void reply(int option, int type, byte[] data) throws IOException {
            out.writeLong(OPTION_REPLY_MAGIC);
            out.writeInt(option);
            out.writeInt(type);
            out.writeInt(data.length);
            out.write(data);
            out.flush();
        }
    }

    private void serve(Socket plain) throws IOException {
        plain.setTcpNoDelay(true);
        plain.setSoTimeout(HANDSHAKE_MILLIS);
        var p = Peer.of(plain, false);
        p.out.writeLong(NBDMAGIC);
        p.out.writeLong(IHAVEOPT);
        p.out.writeShort(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        p.out.flush();
        int clientFlags = p.in.readInt();
        if ((clientFlags & FLAG_FIXED_NEWSTYLE) == 0) return;
        p = new Peer(plain, p.in, p.out, (clientFlags & FLAG_NO_ZEROES) != 0);
        boolean secure = false;
        for (int i = 0; i < 64; i++) { // a client that has not picked an export after this many options never will
            if (p.in.readLong() != IHAVEOPT) return;
            int option = p.in.readInt();
            int length = p.in.readInt();
            if (length < 0 || length > MAX_OPTION) return;
            byte[] data = new byte[length];
            p.in.readFully(data);
            if (option == OPT_ABORT) {
                p.reply(option, REP_ACK, new byte[0]);
                return;
            }
            if (!secure) {
                if (option == OPT_EXPORT_NAME) return; // no reply can refuse it: the connection ends
                if (option != OPT_STARTTLS) {
                    p.reply(option, REP_ERR_TLS_REQD, message("TLS first (NBD_OPT_STARTTLS)"));
                    continue;
                }
                p.reply(option, REP_ACK, new byte[0]);
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                p = new Peer(ssl, new DataInputStream(ssl.getInputStream()), new DataOutputStream(ssl.getOutputStream()), p.noZeroes);
                secure = true;
                continue;
            }
            switch (option) {
                case OPT_EXPORT_NAME -> {
                    Ref<VDI> vdi = authority.vdiFor(new String(data, StandardCharsets.UTF_8));
                    if (vdi == null) return;
                    relay(p, vdi, true);
                    return;
                }
                case OPT_INFO, OPT_GO -> {
                    String name = exportName(data);
                    Ref<VDI> vdi = name == null ? null : authority.vdiFor(name);
                    if (name == null) p.reply(option, REP_ERR_INVALID, message("malformed request"));
                    else if (vdi == null) p.reply(option, REP_ERR_UNKNOWN, message("no such export, or the session may not read it"));
                    else if (option == OPT_GO) {
                        relay(p, vdi, false);
                        return;
                    } else {
                        try (BlockExports disk = serve(vdi); NbdConnection nbd = NbdConnection.open(disk.socket(), DiskStreams.EXPORT)) {
                            p.reply(option, REP_INFO, exportInfo(nbd));
                            p.reply(option, REP_ACK, new byte[0]);
                        }
                    }
                }
                case OPT_STARTTLS -> p.reply(option, REP_ERR_INVALID, message("TLS is on already"));
                case OPT_LIST -> p.reply(option, REP_ERR_POLICY, message("exports are not listed: each is named by VDI.get_nbd_info"));
                default -> p.reply(option, REP_ERR_UNSUP, new byte[0]);
            }
        }
    }

    /** The name in an NBD_OPT_INFO or NBD_OPT_GO request, or null if the request is malformed. */
    private static String exportName(byte[] data) {
        if (data.length < 6) return null;
        int n = ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        if (n < 0 || 4 + n + 2 > data.length) return null;
        return new String(data, 4, n, StandardCharsets.UTF_8);
    }

    private static byte[] exportInfo(NbdConnection nbd) {
        var b = java.nio.ByteBuffer.allocate(12);
        b.putShort((short) INFO_EXPORT).putLong(nbd.size()).putShort((short) nbd.transmissionFlags());
        return b.array();
    }

    private static byte[] message(String text) { return text.getBytes(StandardCharsets.UTF_8); }

    private BlockExports serve(Ref<VDI> vdi) { return DiskStreams.serve(storage.attachment(vdi), false); }

    /**
     * Ends the handshake as the client asked it (the old export-name reply, or NBD_OPT_GO's info and ack) with the
     * storage daemon's size and flags, then passes bytes both ways until either side closes.
     */
    private void relay(Peer p, Ref<VDI> vdi, boolean exportNameReply) throws IOException {
        try (BlockExports disk = serve(vdi); NbdConnection nbd = NbdConnection.open(disk.socket(), DiskStreams.EXPORT)) {
            if (exportNameReply) {
                p.out.writeLong(nbd.size());
                p.out.writeShort(nbd.transmissionFlags());
                if (!p.noZeroes) p.out.write(new byte[124]);
                p.out.flush();
            } else {
                p.reply(OPT_GO, REP_INFO, exportInfo(nbd));
                p.reply(OPT_GO, REP_ACK, new byte[0]);
            }
            p.socket.setSoTimeout(0);
            Thread back = Thread.ofVirtual().name("nbd-replies").start(() -> pump(nbd.input(), p.out));
            pump(p.in, nbd.output());
            p.socket.close();
            nbd.close(); // the replies' pump ends with it
            try {
                back.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void pump(InputStream from, OutputStream to) {
        byte[] buf = new byte[256 << 10];
        try {
            for (int n; (n = from.read(buf)) >= 0; ) {
                to.write(buf, 0, n);
                if (from.available() == 0) to.flush();
            }
            to.flush();
        } catch (IOException e) {
            // one side went away: the other is closed next
        }
    }

    /** Stops listening and ends every connection (each stops its storage daemon). */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // gone already
            }
        }
    }
}
