package org.flotilla.storage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flotilla.pool.TestNetwork;

/**
 * An NFSv3 server for a test: rpcbind and nfs-ganesha (VFS FSAL, run as root, as it must be) in a network namespace of a
 * {@link TestNetwork} (a host's, or the switch's that every host reaches), inside a mount namespace of their own whose
 * private /run keeps their sockets, locks and pid files off the machine's. QEMU's NFS driver asks the portmapper on port 111 first, which is why each
 * server needs a namespace (an address) of its own; the root namespace's port 111 is never touched. The export is a
 * directory of the network's, {@code /export} to clients, with no root squash (Flotilla presents uid 0). Closing it
 * stops both by pid; closing the network kills whatever still runs in the namespace and removes the files.
 */
public final class NfsServer implements AutoCloseable {
    public static final String EXPORT = "/export";
    private static final String PLUGINS = "/usr/lib/x86_64-linux-gnu/ganesha";

    private final TestNetwork net;
    private final String namespace;
    private final String address;
    private final Path dir;
    private Process ganesha;
    private boolean ownsNetwork;

    private NfsServer(TestNetwork net, String namespace, String address, Path dir) {
        this.net = net;
        this.namespace = namespace;
        this.address = address;
        this.dir = dir;
    }

    /** A server on a network of one namespace made for it, which closing the server removes. */
    public static NfsServer onItsOwnNetwork() throws IOException, InterruptedException {
        TestNetwork net = TestNetwork.create(1);
        NfsServer server;
        try {
            server = start(net, 0);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            net.close();
            throw e;
        }
        server.ownsNetwork = true;
        return server;
    }

    /** The network the server is on. */
    public TestNetwork network() { return net; }

    /** Starts a server on host {@code i} of {@code net} and waits until it serves. */
    public static NfsServer start(TestNetwork net, int i) throws IOException, InterruptedException {
        return start(net, net.namespace(i), net.address(i), net.dir().resolve("nfs" + i));
    }

    /** Starts a server in the switch's namespace of {@code net}, which every host of the network reaches, and waits until it serves. */
    public static NfsServer inSwitch(TestNetwork net) throws IOException, InterruptedException {
        String address = net.addServiceAddress();
        return start(net, net.switchNamespace(), address, net.dir().resolve("nfs-switch"));
    }

    private static NfsServer start(TestNetwork net, String namespace, String address, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("export"));
        Files.createDirectories(dir.resolve("recovery"));
        Files.writeString(dir.resolve("ganesha.conf"), config(dir));
        Files.writeString(dir.resolve("serve.sh"), """
                set -e
                mount -t tmpfs -o size=4m,mode=755 flotilla-nfs-run /run
                mount -t tmpfs -o size=1g,mode=755 flotilla-nfs-export %1$s/export
                ip link set lo up
                rpcbind -f -w &
                echo $! > %1$s/rpcbind.pid
                for i in $(seq 1 100); do [ -S /run/rpcbind.sock ] && break; sleep 0.05; done
                exec ganesha.nfsd -F -f %1$s/ganesha.conf -L %1$s/ganesha.log -p /run/ganesha.pid
                """.formatted(dir));
        var server = new NfsServer(net, namespace, address, dir);
        try {
            server.ganesha = serveScript(namespace, dir);
            server.awaitServing();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Runs {@code dir/serve.sh} in network namespace {@code namespace} and a mount namespace of its own (whose mounts,
     * a private /run, stay its own), its output to {@code dir/serve.out}.
     */
    static Process serveScript(String namespace, Path dir) throws IOException {
        return new ProcessBuilder(List.of("ip", "netns", "exec", namespace, "unshare", "-m", "--propagation", "private",
                "sh", dir.resolve("serve.sh").toString())).redirectErrorStream(true).redirectOutput(dir.resolve("serve.out").toFile()).start();
    }

    public String address() { return address; }

    /**
     * The export's directory as the server's own file system has it: to look at what clients made. It is a tmpfs of the
     * server's mount namespace (ganesha's VFS backend needs file handles, which an overlay root, as in a container, does
     * not give), reached through the server's /proc root.
     */
    public Path exportDir() { return Path.of("/proc/" + ganesha.pid() + "/root").resolve(dir.resolve("export").toString().substring(1)); }

    private void awaitServing() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!ganesha.isAlive()) throw new IllegalStateException("ganesha ended: " + Files.readString(dir.resolve("serve.out")) + log());
            if (listening(2049) && listening(111) && log().contains("NFS SERVER INITIALIZED")) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("the NFS server did not start within 60 s: " + log());
    }

    private String log() throws IOException {
        Path log = dir.resolve("ganesha.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private boolean listening(int port) { return listening(address(), port); }

    /** Whether a TCP connection to {@code address:port} is taken: a test's server is up. */
    static boolean listening(String address, int port) {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            if (ownsNetwork) net.close();
        }
    }

    private void stop() {
        if (ganesha != null) {
            ganesha.destroy();
            try {
                if (!ganesha.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) ganesha.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Path pid = dir.resolve("rpcbind.pid");
            if (Files.exists(pid)) ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot stop rpcbind: " + e, e);
        }
    }

    private static String config(Path dir) {
        return """
                NFS_CORE_PARAM {
                    Bind_addr = 0.0.0.0;
                    NFS_Port = 2049;
                    MNT_Port = 20048;
                    Protocols = 3;
                    Enable_NLM = false;
                    Enable_RQUOTA = false;
                    Enable_UDP = false;
                    Plugins_Dir = "%2$s";
                    mount_path_pseudo = true;
                }
                NFS_KRB5 { Active_krb5 = false; CCacheDir = "%1$s/recovery"; }
                NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = "%1$s/recovery"; Only_Numeric_Owners = true; }
                LOG { Default_Log_Level = EVENT; }
                EXPORT {
                    Export_Id = 1;
                    Path = "%1$s/export";
                    Pseudo = "%3$s";
                    Protocols = 3;
                    Transports = TCP;
                    Access_Type = RW;
                    Squash = No_Root_Squash;
                    SecType = sys;
                    FSAL { Name = VFS; }
                }
                """.formatted(dir, PLUGINS, EXPORT);
    }
}
