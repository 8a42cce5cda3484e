package org.flotilla.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.flotilla.pool.TestNetwork;

/**
 * An iSCSI target for a test: tgtd (Debian's tgt, run as root, never its system service) in a network namespace of a
 * {@link TestNetwork} (a host's, or the switch's that every host reaches), in a mount namespace of its own whose private
 * /run keeps its control socket off the machine's, on a control port of its own too. One target, {@link #IQN}, with a
 * disk LUN 1, 2, … per backing file (sparse files in the network's directory), open to any initiator, with CHAP if
 * asked. Closing it stops tgtd by pid; closing the network kills whatever still runs in the namespace and removes the files.
 */
public final class IscsiTarget implements AutoCloseable {
    public static final String IQN = "iqn.2026-12.org.flotilla.test:storage";
    public static final int PORT = 3260;

    private final TestNetwork net;
    private final String address;
    private final Path dir;
    private final List<Path> luns;
    private Process shell;
    private boolean ownsNetwork;

    private IscsiTarget(TestNetwork net, String address, Path dir, List<Path> luns) {
        this.net = net;
        this.address = address;
        this.dir = dir;
        this.luns = luns;
    }

    /** A target on a network of one namespace made for it, which closing the target removes. */
    public static IscsiTarget onItsOwnNetwork(List<Long> lunSizes, String chapUser, String chapPassword) throws IOException, InterruptedException {
        TestNetwork net = TestNetwork.create(1);
        IscsiTarget target;
        try {
            target = start(net, net.namespace(0), net.address(0), net.dir().resolve("iscsi0"), lunSizes, chapUser, chapPassword);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            net.close();
            throw e;
        }
        target.ownsNetwork = true;
        return target;
    }

    /** A target in the switch's namespace of {@code net}, which every host of the network reaches. */
    public static IscsiTarget inSwitch(TestNetwork net, List<Long> lunSizes) throws IOException, InterruptedException {
        return inSwitch(net, lunSizes, null, null);
    }

    /** The same, letting in only initiators that give {@code chapUser} and {@code chapPassword}. */
    public static IscsiTarget inSwitch(TestNetwork net, List<Long> lunSizes, String chapUser, String chapPassword)
            throws IOException, InterruptedException {
        return start(net, net.switchNamespace(), net.addServiceAddress(), net.dir().resolve("iscsi-switch"), lunSizes, chapUser, chapPassword);
    }

    private static IscsiTarget start(TestNetwork net, String namespace, String address, Path dir, List<Long> lunSizes, String chapUser,
                                     String chapPassword) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        var luns = new ArrayList<Path>();
        var script = new StringBuilder("""
                set -e
                mount -t tmpfs -o size=4m,mode=755 flotilla-tgt-run /run
                mkdir -p /run/tgtd
                ip link set lo up
                tgtd -f -C %1$d > %2$s/tgtd.log 2>&1 &
                echo $! > %2$s/tgtd.pid
                a() { tgtadm -C %1$d --lld iscsi "$@"; }
                for i in $(seq 1 100); do a --mode target --op show >/dev/null 2>&1 && break; sleep 0.05; done
                a --op new --mode target --tid 1 -T %3$s
                """.formatted(ThreadLocalRandom.current().nextInt(100, 30000), dir, IQN));
        for (int i = 0; i < lunSizes.size(); i++) {
            Path file = dir.resolve("lun" + (i + 1) + ".img");
            try (var f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(lunSizes.get(i));
            }
            luns.add(file);
            script.append("a --op new --mode logicalunit --tid 1 --lun ").append(i + 1).append(" -b ").append(file).append('\n');
        }
        script.append("a --op bind --mode target --tid 1 -I ALL\n");
        if (chapUser != null) {
            script.append("a --op new --mode account --user ").append(chapUser).append(" --password ").append(chapPassword).append('\n');
            script.append("a --op bind --mode account --tid 1 --user ").append(chapUser).append('\n');
        }
        script.append("touch ").append(dir.resolve("ready")).append("\nwait\n");
        Files.writeString(dir.resolve("serve.sh"), script);
        var target = new IscsiTarget(net, address, dir, luns);
        try {
            target.shell = NfsServer.serveScript(namespace, dir);
            target.awaitServing();
            return target;
        } catch (IOException | InterruptedException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    public String address() { return address; }

    /** The backing file of LUN {@code n} (1, 2, …): what the LUN holds, to look at. */
    public Path lun(int n) { return luns.get(n - 1); }

    public TestNetwork network() { return net; }

    private void awaitServing() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!shell.isAlive()) throw new IllegalStateException("tgtd's script ended: " + Files.readString(dir.resolve("serve.out")) + log());
            if (Files.exists(dir.resolve("ready")) && NfsServer.listening(address, PORT)) return;
            Thread.sleep(50);
        }
        throw new IllegalStateException("the iSCSI target did not start within 30 s: " + log());
    }

    private String log() throws IOException {
        Path log = dir.resolve("tgtd.log");
        return Files.exists(log) ? Files.readString(log) : "";
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
        try {
            Path pid = dir.resolve("tgtd.pid");
            if (Files.exists(pid)) ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
            });
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot stop tgtd: " + e, e);
        } finally {
            if (shell != null) {
                shell.destroyForcibly();
                try {
                    shell.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
