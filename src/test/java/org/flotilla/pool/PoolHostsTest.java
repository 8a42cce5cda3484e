package org.flotilla.pool;

import static org.flotilla.TestTimeouts.LOADED;
import static org.flotilla.pool.TestHost.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.jail.Cgroups;
import org.flotilla.runtime.TrustingTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hosts pool tests stand on: three daemons, each in its own network namespace behind a veth into one bridge,
 * reached over TLS at their own addresses, reaching each other until a link is cut, surviving a SIGKILL with their
 * records, each running a test guest whose NIC works; and once closed, nothing of them left on the machine.
 */
@Slow
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolHostsTest {
    private static final String GUEST_BRIDGE = "guests";
    private static final String GUEST_GATEWAY = "192.168.200.1";
    private static final String GUEST_ADDRESS = "192.168.200.2";

    private TestHosts pool;
    /** Every process the hosts ran that close() must leave dead: daemons and QEMUs. */
    private final List<Long> processes = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startHosts() throws Exception {
        long t0 = System.nanoTime();
        pool = TestHosts.start(3);
        System.out.printf("3 hosts serving in %d ms on %s%n", (System.nanoTime() - t0) / 1_000_000, pool.network().subnet());
    }

    /** Even a host whose daemon is dead at the end, so that its VM cannot be stopped through the API. */
    @AfterAll
    void closeLeavesNothing() throws InterruptedException {
        pool.host(2).kill();
        String prefix = pool.network().prefix();
        Path dir = pool.network().dir();
        for (TestHost h : pool.hosts()) processes.addAll(h.daemonPids());
        List<String> uuids = pool.hosts().stream().map(TestHost::uuid).toList();
        long t0 = System.nanoTime();
        pool.close();
        System.out.printf("closed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertFalse(TestCommand.run(List.of("ip", "netns", "list")).output().contains(prefix), "a namespace is left");
        assertFalse(TestCommand.run(List.of("ip", "-o", "link", "show")).output().contains(prefix), "a link is left");
        assertFalse(Files.exists(dir), "the hosts' directory is left");
        assertFalse(TestCommand.run(List.of("ls", "/etc/netns")).output().contains(prefix), "an /etc/netns entry is left");
        for (long pid : processes) assertFalse(ProcessHandle.of(pid).isPresent(), "process " + pid + " is left");
        assertTrue(processes.size() >= 3, "the processes followed: " + processes);
        for (String uuid : uuids) assertEquals(List.of(), Cgroups.host().existing(uuid), "VM cgroups of host " + uuid + " are left");
    }

    @Test
    void eachHostServesTlsAtItsOwnAddressInItsOwnNamespace() throws Exception {
        var keys = new HashSet<String>();
        var uuids = new HashSet<String>();
        for (TestHost h : pool.hosts()) {
            X509Certificate cert = certificateAt(h.address());
            assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(0).equals(7) && n.get(1).equals(h.address())),
                    h + "'s certificate names its address: " + cert.getSubjectAlternativeNames());
            keys.add(cert.getPublicKey().toString());
            assertEquals(h.address(), h.call("host.get_address", h.hostRef()));
            assertEquals(h.name(), h.call("host.get_hostname", h.hostRef()), "the daemon has its host's own hostname");
            uuids.add(h.uuid());
            assertEquals(h.namespace(), TestCommand.run(List.of("ip", "netns", "identify", Long.toString(h.pid()))).output().strip(),
                    "the daemon runs in " + h + "'s namespace");
            assertTrue(ProcessHandle.of(h.pid()).flatMap(p -> p.info().command()).orElse("").endsWith("/java"),
                    "the process the host follows is the daemon itself, which a SIGKILL ends");
        }
        assertEquals(3, keys.size(), "each host has its own certificate");
        assertEquals(3, uuids.size(), "each host has its own database");
    }

    @Test
    void hostsReachEachOtherUntilALinkIsCut() {
        TestHost a = pool.host(0);
        TestHost b = pool.host(1);
        TestHost c = pool.host(2);
        assertTrue(a.canConnect(b.address(), PORT), "a reaches b");
        assertTrue(a.canConnect(b.name(), PORT), "a reaches b by its name");
        b.cutLink();
        try {
            assertFalse(a.canConnect(b.address(), PORT), "a reaches b with b's link cut");
            assertFalse(b.reachableFromTest(), "the test reaches b with b's link cut");
            assertTrue(a.canConnect(c.address(), PORT), "a still reaches c");
            assertTrue(c.reachableFromTest());
        } finally {
            b.restoreLink();
        }
        assertTrue(a.canConnect(b.address(), PORT), "a reaches b once b's link is back");
        assertTrue(b.reachableFromTest());
        assertEquals(b.uuid(), b.call("host.get_uuid", b.hostRef()));
    }

    @Test
    void aKilledDaemonRestartsOnItsStateWithItsRecords() throws Exception {
        TestHost h = pool.host(2);
        String host = h.hostRef();
        h.call("host.add_to_other_config", host, "before-the-kill", "kept");
        String network = (String) h.call("network.create", Map.of("name_label", "kept across a kill", "name_description", "",
                "MTU", "1500", "other_config", Map.of(), "bridge", "kept0"));
        long pid = h.pid();

        h.kill();
        assertFalse(ProcessHandle.of(pid).isPresent(), "SIGKILL ended the daemon");
        assertFalse(h.reachableFromTest(), "nothing serves on a killed host");
        h.restart();

        assertNotEquals(pid, h.pid());
        assertEquals(host, h.hostRef());
        assertEquals("kept", ((Map<?, ?>) h.call("host.get_other_config", host)).get("before-the-kill"));
        assertEquals(List.of(network), h.call("network.get_by_name_label", "kept across a kill"));
        assertEquals(h.namespace(), TestCommand.run(List.of("ip", "netns", "identify", Long.toString(h.pid()))).output().strip());
    }

    @Test
    void eachHostRunsATestGuestWhoseNicWorks() throws Exception {
        var vms = new LinkedHashMap<TestHost, String>();
        var macs = new LinkedHashMap<TestHost, String>();
        for (TestHost h : pool.hosts()) {
            // the host's end of the guests' network, so that the guest has a peer on its host
            for (String[] cmd : List.of(new String[] {"ip", "link", "add", "name", GUEST_BRIDGE, "type", "bridge"},
                    new String[] {"ip", "addr", "add", GUEST_GATEWAY + "/24", "dev", GUEST_BRIDGE},
                    new String[] {"ip", "link", "set", "dev", GUEST_BRIDGE, "up"})) {
                assertEquals(0, h.exec(cmd).exit(), String.join(" ", cmd) + " on " + h);
            }
            String net = (String) h.call("network.create", Map.of("name_label", "guests", "name_description", "",
                    "MTU", "1500", "other_config", Map.of(), "bridge", GUEST_BRIDGE));
            String template = (String) ((List<?>) h.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
            String vm = (String) h.call("VM.clone", template, "guest of " + h.name());
            h.call("VM.provision", vm);
            h.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 flotilla.mode=net flotilla.ip=" + GUEST_ADDRESS
                    + "/24 flotilla.ping=" + GUEST_GATEWAY);
            var vif = new LinkedHashMap<String, Object>();
            vif.put("VM", vm);
            vif.put("network", net);
            vif.put("device", "0");
            vif.put("MAC", "");
            vif.put("MTU", "0");
            vif.put("other_config", Map.of());
            vif.put("qos_algorithm_type", "");
            vif.put("qos_algorithm_params", Map.of());
            macs.put(h, (String) h.call("VIF.get_MAC", h.call("VIF.create", vif)));
            h.call("VM.start", vm, false, false);
            vms.put(h, vm);
        }
        for (TestHost h : pool.hosts()) {
            Path run = h.stateDir().resolve("run").resolve((String) h.call("VM.get_uuid", vms.get(h)));
            long qemu = Long.parseLong(Files.readString(run.resolve("qemu.pid")).strip());
            processes.add(qemu);
            assertEquals(h.namespace(), TestCommand.run(List.of("ip", "netns", "identify", Long.toString(qemu))).output().strip(),
                    "the VM's QEMU runs on its host");
            String cgroups = Files.readString(Path.of("/proc/" + qemu + "/cgroup"));
            assertTrue(cgroups.contains("/flotilla." + h.uuid() + "."), "the VM's QEMU has a cgroup of its own, as on a real host:\n" + cgroups);
            // the guest's web server answers its host with its address and the VIF's MAC: the NIC works both ways
            String expected = "flotilla-guest " + GUEST_ADDRESS + "/24 " + macs.get(h);
            String answer = await(() -> h.exec("curl", "-s", "--max-time", "1", "http://" + GUEST_ADDRESS + "/").output(), expected);
            String serial = await(() -> read(run.resolve("serial.log")), "FLOTILLA-GUEST ping " + GUEST_GATEWAY + " ");
            assertTrue(answer.contains(expected), h + "'s guest did not answer over its NIC: " + answer + "\n" + serial);
            assertTrue(serial.contains("FLOTILLA-GUEST ping " + GUEST_GATEWAY + " ok"), "the guest reaches its host:\n" + serial);
            assertEquals("Running", h.call("VM.get_power_state", vms.get(h)));
        }
    }

    @Test
    void anotherNetworkAtTheSameTimeHasItsOwnNamesAndSubnet() throws Exception {
        try (var other = TestNetwork.create(1);
             var listener = new ServerSocket(0, 1, InetAddress.ofLiteral(other.testAddress()))) {
            assertNotEquals(pool.network().prefix(), other.prefix());
            assertNotEquals(pool.network().subnet(), other.subnet());
            assertTrue(other.canConnect(0, other.testAddress(), listener.getLocalPort()), "its host reaches the test");
            assertFalse(other.canConnect(0, pool.host(0).address(), PORT), "one network's hosts do not reach another's");
        }
    }

    @Test
    void aStartSweepsWhatACrashedRunLeft() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        var crashed = new TestNetNames(exited.pid(), 0);
        var ns = crashed.hostNamespace(0);
        TestNetwork.ip("netns", "add", crashed.switchNamespace());
        TestNetwork.ip("netns", "add", ns);
        TestNetwork.ip("link", "add", "name", crashed.testLink(), "type", "veth", "peer", "name", "test", "netns", crashed.switchNamespace());
        Files.createDirectories(crashed.etcDir(ns));
        Files.createDirectories(crashed.tempDir().resolve("h0"));
        Process orphan = new ProcessBuilder("ip", "netns", "exec", ns, "sleep", "300").start();
        try {
            assertEquals(5, TestLeftovers.of(crashed).size(), "the crashed run's leftovers made: " + TestLeftovers.of(crashed));
            TestLeftovers.sweep();
            assertEquals(List.of(), TestLeftovers.of(crashed));
            assertFalse(orphan.isAlive(), "the process left in a crashed run's namespace is ended");
            assertTrue(pool.host(0).reachableFromTest(), "a live run's hosts are left alone");
        } finally {
            orphan.destroyForcibly();
            TestLeftovers.remove(crashed);
        }
    }

    /**
     * A run in another PID namespace (a fresh root on this machine) has a pid this JVM cannot see, but it shares this
     * network namespace: its link, listened on at its address, is left alone until its listener is gone.
     */
    @Test
    void aRunWhosePidIsNotSeenHereIsKeptWhileItListensOnItsAddress() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        var unseen = new TestNetNames(exited.pid(), 1);
        var listener = new java.util.concurrent.atomic.AtomicReference<ServerSocket>();
        TestNetwork.ip("netns", "add", unseen.switchNamespace());
        try {
            TestSubnet.claim((int) exited.pid(), o -> {
                TestNetwork.ip("link", "add", "name", unseen.testLink(), "type", "veth", "peer", "name", "test", "netns", unseen.switchNamespace());
                TestNetwork.ip("addr", "add", o + ".254/24", "dev", unseen.testLink());
                TestNetwork.ip("link", "set", "dev", unseen.testLink(), "up");
                try {
                    listener.set(new ServerSocket(TestNetNames.LIVENESS_PORT, 1, InetAddress.ofLiteral(o + ".254")));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            TestLeftovers.sweep();
            assertTrue(TestLeftovers.of(unseen).contains("link " + unseen.testLink()), "a listening run's link is kept");
            listener.get().close();
            TestLeftovers.sweep();
            assertEquals(List.of(), TestLeftovers.of(unseen));
        } finally {
            if (listener.get() != null) listener.get().close();
            TestLeftovers.remove(unseen);
        }
    }

    /** What {@code read} gives once it contains {@code text}, or at the deadline. */
    private static String await(Supplier<String> read, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30L * LOADED);
        String now = read.get();
        while (!now.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = read.get();
        }
        return now;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The certificate a host presents at its address, taken as a client seeing it for the first time does. */
    private static X509Certificate certificateAt(String address) throws Exception {
        try (var socket = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(address, PORT), 5000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

}
