package org.flotilla.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * xe as a thin client, as XAPI's is: it reads the global options (command line, XE_EXTRA_ARGS, ~/.xe), hands the
 * command line to the host's {@code /cli} and copies back what the host printed and its exit code. One request, and
 * none of the model loaded here, is what makes a command as quick as a one-shot script. A host without {@code /cli},
 * or a command that needs this terminal (a VM's console), runs the whole of {@link Xe} here instead.
 */
public final class XeClient {
    private static final String DEFAULT_STATE = "/var/lib/flotilla";

    private XeClient() {}

    public static void main(String[] args) {
        useOnlyTheProvidersTlsNeeds();
        String home = System.getProperty("user.home", "");
        Path rc = home.isEmpty() ? null : Path.of(home, ".xe");
        System.exit(run(List.of(args), System.getenv(), rc, System.out, System.err));
    }

    /**
     * Ends this process's list of security providers after the last one TLS uses (the JDK's SUN, SunRsaSign, SunEC,
     * SunJSSE and SunJCE), before any is loaded. TLS's set-up looks for an algorithm no provider has, which loads every
     * provider the list names (Kerberos, SASL, XML signatures, smart cards, LDAP, PKCS#11): work a one-request client
     * throws away. Providers listed before the last of those (a FIPS module placed first, say) stay; the algorithm
     * restrictions of java.security stay as they are.
     */
    static void useOnlyTheProvidersTlsNeeds() {
        Set<String> tls = Set.of("SUN", "SunRsaSign", "SunEC", "SunJSSE", "SunJCE");
        int last = 0;
        int listed = 0;
        for (int i = 1; i <= 100; i++) {
            String entry = Security.getProperty("security.provider." + i);
            if (entry == null || entry.isBlank()) break;
            listed = i;
            if (tls.contains(entry.trim().split("\\s+")[0])) last = i;
        }
        if (last > 0 && last < listed) Security.setProperty("security.provider." + (last + 1), "");
    }

    /** One xe command line, as main runs it with this process's streams; returns the exit code. {@code rc} is ~/.xe, or null. */
    public static int run(List<String> args, Map<String, String> env, Path rc, PrintStream out, PrintStream err) {
        return run(args, env, rc, System.in, out, err);
    }

    /** One xe command line, typed at {@code keys} where a console is joined to the user's terminal. */
    public static int run(List<String> args, Map<String, String> env, Path rc, InputStream keys, PrintStream out, PrintStream err) {
        GlobalOptions options;
        try {
            options = GlobalOptions.read(args, env, rc);
        } catch (CliFailure f) {
            f.stderrLines().forEach(err::println);
            return f.exitCode();
        }
        var terminal = new LocalTerminal(keys, out);
        if (options.rest().isEmpty()) return whole(args, env, rc, keys, out, err, null);
        try {
            return send(options, env, terminal, out, err, handOver -> whole(args, env, rc, keys, out, err, handOver));
        } catch (CliFailure f) {
            f.stderrLines().forEach(err::println);
            return f.exitCode();
        }
    }

    /** The command, to the daemon of this host over its socket when no server is named and it has one, else over HTTPS. */
    static int send(GlobalOptions options, Map<String, String> env, Terminal terminal, PrintStream out, PrintStream err, RunHere whole) {
        if (!options.serverGiven()) {
            SocketChannel local = localDaemon(env);
            if (local != null) return overSocket(local, options, terminal, out, err, whole);
        }
        return remote(options, out, err, whole);
    }

    /**
     * The socket of the daemon on this host ({@code $FLOTILLA_STATE}, /var/lib/flotilla by default), connected; null if
     * there is none this user may open, and xe goes by HTTPS to 127.0.0.1 as before.
     */
    private static SocketChannel localDaemon(Map<String, String> env) {
        Path socket = CliSocket.in(Path.of(env.getOrDefault("FLOTILLA_STATE", DEFAULT_STATE)));
        if (!Files.exists(socket)) return null;
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return null;
        }
    }

    private static int overSocket(SocketChannel c, GlobalOptions options, Terminal terminal, PrintStream out, PrintStream err, RunHere whole) {
        byte[] body = new CliWire.Request(options.username(), options.password(), options.debug(), terminal.interactive(), options.rest()).encode();
        try (c; InputStream in = Channels.newInputStream(c); var o = new DataOutputStream(Channels.newOutputStream(c))) {
            o.writeInt(body.length);
            o.write(body);
            o.flush();
            return copyReply(in, out, err, whole, () -> {
                terminal.attach(new Terminal.Link(in, o, c));  // the host joined a console to this socket
                return 0;
            });
        } catch (IOException e) {
            err.println(Xe.UNREACHABLE);
            if (options.debug()) err.println(e);
            return 1;
        }
    }

    /** The command the options carry, run by the host; {@code whole} runs it here where the host cannot. */
    static int remote(GlobalOptions options, PrintStream out, PrintStream err, RunHere whole) {
        byte[] body = new CliWire.Request(options.username(), options.password(), options.debug(), false, options.rest()).encode();
        try (CliHttps host = CliHttps.open(options)) {
            CliHttps.Reply reply = host.post(options, body);
            if (reply.status() != 200 || !CliWire.CONTENT_TYPE.equals(reply.contentType())) {
                host.close();
                return whole.run(null);  // a host that does not run xe's commands itself
            }
            // only the host's own socket hands a command over: a remote host's would send the user's files elsewhere
            return copyReply(reply.body(), out, err, handOver -> whole.run(null), null);
        } catch (IOException e) {
            err.println(Xe.UNREACHABLE);
            if (options.debug()) err.println(e);
            return 1;
        }
    }

    /**
     * The whole command, run here: with the user's own host and credentials, or, {@code handOver} by this host's daemon,
     * at its HTTPS endpoint in the session it made.
     */
    private static int whole(List<String> args, Map<String, String> env, Path rc, InputStream keys, PrintStream out, PrintStream err,
            CliWire.HandOver handOver) {
        Xe.Login login = Xe::login;
        if (handOver != null) {
            var atHost = new java.util.ArrayList<>(List.of("-s", handOver.host(), "-p", Integer.toString(handOver.port())));
            atHost.addAll(args);
            args = atHost;
            login = (rpc, options, hostAlone) -> XenApiSession.of(rpc, handOver.session());
        }
        int code = new Xe(HostConnector.XML_RPC, out, err, ClientEnd.overHttp(keys), login).run(args, env, rc);
        out.flush();
        return code;
    }

    /** Runs the command here, where the host cannot: {@code handOver} is null, or what the host's own socket handed over. */
    @FunctionalInterface
    interface RunHere {
        int run(CliWire.HandOver handOver);
    }

    /** What xe does when its host joins a console to the connection; its exit code. */
    @FunctionalInterface
    interface OnTerminal {
        int attach() throws IOException;
    }

    /**
     * Copies the host's frames to this process's streams; returns the command's exit code. {@code onTerminal} is null
     * where the host cannot join a console to the connection.
     */
    static int copyReply(InputStream in, PrintStream out, PrintStream err, RunHere onClient, OnTerminal onTerminal) throws IOException {
        for (CliWire.Frame f; (f = CliWire.Frame.read(in)) != null; ) {
            switch (f.tag()) {
                case CliWire.STDOUT -> {
                    out.write(f.bytes());
                    out.flush();  // a console streams
                }
                case CliWire.STDERR -> {
                    err.write(f.bytes());
                    err.flush();
                }
                case CliWire.EXIT -> {
                    out.flush();
                    err.flush();
                    return f.exitCode();
                }
                case CliWire.ON_CLIENT -> { return onClient.run(CliWire.HandOver.decode(f.bytes())); }
                case CliWire.TERMINAL -> {
                    if (onTerminal == null) throw new IOException("a console on a connection that cannot carry one");
                    out.flush();
                    return onTerminal.attach();
                }
                default -> throw new IOException("an unknown reply frame '" + (char) f.tag() + "'");
            }
        }
        throw new IOException("the host's reply ended before the command's exit code");
    }
}
