package org.flotilla.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.TestDomainIds;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.Refs;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.qemu.TestGuest;

/**
 * Hosts that boot guests, as Nodes on one in-memory database in this JVM, each on a state directory of its own
 * under {@code dir}. Closing stops the Nodes, then every QEMU they ran (whatever the test left), and their taps.
 */
final class NodesOnOneDatabase implements AutoCloseable {
    final Database db = new Database(XenApi.model(), Journal.NONE);
    private final Path dir;
    private final Map<Integer, Node> nodes = new HashMap<>();
    private final List<Long> qemus = new ArrayList<>();

    NodesOnOneDatabase(Path dir) { this.dir = dir; }

    /** Host {@code i}'s toolstack started (again) on its state directory, at a made-up address of its own. */
    Node start(int i) {
        Path state = state(i);
        TestDomainIds.seed(state);
        HostFacts machine = HostFacts.read("127.0.0.1");
        var facts = machine.as("host" + i, "10.249.1." + (i + 1));
        Node node = new Node(state, db, (u, p) -> true, facts, r -> "<value>" + r + "</value>", ApiLimits.defaults());
        nodes.put(i, node);
        return node;
    }

    /**
     * Hosts 0 to n-1 ready to boot the test guest and to take each other's VMs in migrations, which come in on
     * loopback.
     */
    List<Node> startForMigrations(int n) throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        var out = new ArrayList<Node>();
        for (int i = 0; i < n; i++) {
            Node node = start(i);
            node.vmRuntime().listenForMigrationsOn(java.net.InetAddress.getLoopbackAddress());
            out.add(node);
        }
        return out;
    }

    /** Stops host {@code i}'s toolstack, as a daemon stops: its QEMUs run on (and are stopped at {@link #close}). */
    void stop(int i) {
        Node n = nodes.remove(i);
        if (n == null) return;
        qemus.addAll(n.vmRuntime().pids().values());
        n.close();
    }

    Path state(int i) { return dir.resolve("host" + i); }

    /** A halted VM of 128 MiB that boots the test guest's kernel in {@code mode} (scripts/guest/README.md). */
    Ref<VM> newGuest(String name, String mode) {
        Ref<VM> vm = Refs.newRef(VM.CLASS);
        var fields = TestGuest.vmFields(name, 128, "console=ttyS0 quiet panic=-1 flotilla.mode=" + mode);
        fields.put("uuid", Refs.newUuid());
        fields.put("power_state", "Halted");
        fields.put("memory_target", 128L << 20);
        db.write(tx -> tx.put(VM.CLASS.name(), vm.value(), fields));
        return vm;
    }

    /** Gives the VM the VDI as its bootable, read-write device 0. */
    void attachDisk(Ref<VM> vm, String vdi) {
        var vbd = new java.util.LinkedHashMap<String, Object>();
        vbd.put("uuid", Refs.newUuid());
        vbd.put("VM", vm.value());
        vbd.put("VDI", vdi);
        vbd.put("userdevice", "0");
        vbd.put("device", "");
        vbd.put("bootable", true);
        vbd.put("mode", "RW");
        vbd.put("type", "Disk");
        vbd.put("unpluggable", true);
        vbd.put("empty", false);
        db.write(tx -> tx.put("VBD", Refs.newRef(), vbd));
    }

    /** A QEMU to stop at the end even if no Node follows it any more. */
    void track(long pid) { qemus.add(pid); }

    static Object call(Node node, String method, Object... params) { return node.rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    static String login(Node node) { return (String) call(node, "session.login_with_password", "root", "x"); }

    @Override
    public void close() {
        // their own hard shutdown first, so that what the VMs' jails hold (cgroups, taps, run directories) goes too
        for (Node n : nodes.values()) {
            for (Ref<VM> vm : n.vmRuntime().pids().keySet()) {
                try {
                    call(n, "VM.hard_shutdown", login(n), vm.value());
                } catch (RuntimeException e) {
                    // killed below
                }
            }
        }
        for (int i : List.copyOf(nodes.keySet())) stop(i);
        for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        });
        try (var dirs = java.nio.file.Files.list(dir)) {
            dirs.forEach(TestDomainIds::removeTaps);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            db.close();
        }
    }
}
