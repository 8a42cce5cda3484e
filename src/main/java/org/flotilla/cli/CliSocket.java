package org.flotilla.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.flotilla.api.Rpc;

/**
 * xe on the host itself, as XAPI's xe without -s talks to the toolstack's Unix socket: no TLS and no password, since
 * only the daemon's own user can open the socket (its file is theirs alone, and each caller's credentials are checked
 * as the kernel gives them). A request is {@link CliWire}'s body after its 4-byte length; the reply is its frames.
 */
public final class CliSocket implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CliSocket.class.getName());
    static final String FILE = "xe.sock";

    private final Path path;
    private final ServerSocketChannel server;
    private final CliRunner runner;
    private final String address;
    private final int port;
    private final Supplier<String> sessions;
    private final String owner = System.getProperty("user.name");

    private CliSocket(Path path, ServerSocketChannel server, CliRunner runner, String address, int port, Supplier<String> sessions) {
        this.path = path;
        this.server = server;
        this.runner = runner;
        this.address = address;
        this.port = port;
        this.sessions = sessions;
    }

    /**
     * Listens at {@code stateDir}/xe.sock; {@code sessions} makes a session for the socket's (proven) caller, and a
     * console a command follows or joins is reached through this host's own HTTPS endpoint at {@code address:port}, and
     * streamed to the caller. Null if the socket cannot be made (a path too long for one, say): xe then reaches the host
     * over HTTPS as from elsewhere.
     */
    public static CliSocket open(Path stateDir, Rpc api, Supplier<String> sessions, String address, int port) {
        Path path = in(stateDir);
        try {
            Files.deleteIfExists(path);  // a dead daemon's; a live one holds the state directory's lock
            var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            var runner = new CliRunner(api, (rpc, options, hostAlone) -> XenApiSession.of(rpc, sessions.get()));
            var socket = new CliSocket(path, server, runner, address, port, sessions);
            Thread.ofVirtual().name("xe-socket").start(socket::accept);
            return socket;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "xe's local socket " + path + " could not be made: " + e);
            return null;
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().name("xe-socket-call").start(() -> serve(c));
            } catch (IOException e) {
                if (server.isOpen()) LOG.log(System.Logger.Level.WARNING, "xe's local socket: " + e);
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().getName().equals(owner)) return;  // the file's mode already keeps others out
            int length = new DataInputStream(in).readInt();
            if (length < 0 || length > CliWire.MAX_REQUEST) return;
            CliWire.Request line = CliWire.Request.decode(in.readNBytes(length));
            if (line == null) return;
            var caller = new CallerTerminal(line.terminal(), c, in, out);
            // a command that needs the caller's files is run by xe itself, as for a remote xe, in a session made here
            if (!runner.run(line, "local", out, (options, to) -> ClientEnd.filesOnClient(new ClientEnd.OverHttp(address, port, true, to, caller)))) {
                CliWire.writeFrame(out, CliWire.ON_CLIENT, new CliWire.HandOver(address, port, sessions.get()).encode());
            }
        } catch (IOException e) {
            // the caller went away; its command ran or did not, as over HTTPS
        }
    }

    /**
     * The terminal of the xe at the socket's other end. A {@link CliWire#TERMINAL} frame tells it the console begins; the
     * socket is then the console's both ways, and its end is the command's: the exit code the command goes on to write
     * finds the socket shut.
     */
    private record CallerTerminal(boolean interactive, SocketChannel channel, InputStream keys, OutputStream screen) implements Terminal {
        @Override
        public void attach(Link console) throws IOException {
            synchronized (screen) {
                CliWire.writeFrame(screen, CliWire.TERMINAL, new byte[0]);
                screen.flush();
            }
            Thread.ofVirtual().name("xe-socket-keys").start(() -> {
                Terminal.copy(keys, console.out(), false);  // the caller's xe keeps Ctrl-] for itself
                console.close();
            });
            try {
                Terminal.copy(console.in(), screen, false);
            } finally {
                console.close();
                channel.shutdownOutput();
            }
        }
    }

    /** Where xe looks for the socket of the daemon whose state is in {@code stateDir}. */
    static Path in(Path stateDir) { return stateDir.resolve(FILE); }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the next daemon removes it
        }
    }
}
