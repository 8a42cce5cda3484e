package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.TestDomainIds;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.Refs;
import org.flotilla.api.Sessions;
import org.flotilla.api.Tasks;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_cpu;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several hosts' toolstacks on one pool database, as pool members will share the replicated one: each start and
 * restart adds only the host's own records (host, metrics, CPUs, control domain, local SR and its PBD, PIFs on the
 * pool's networks), corrects only its own VMs, collects only its own tasks and sessions, and refuses what belongs to
 * another host with CANNOT_CONTACT_HOST; placement weighs every host.
 */
class SharedDatabaseTest {
    @TempDir Path dir;
    final Database db = new Database(XenApi.model(), Journal.NONE);
    final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        for (Node n : nodes) if (n != null) n.close();
        db.close();
    }

    Node start(int i) { return start(i, ApiLimits.defaults()); }

    /** Host {@code i}'s toolstack on its own state directory, with a name and address of its own, on the shared database. */
    Node start(int i, ApiLimits limits) {
        Path state = dir.resolve("host" + i);
        TestDomainIds.seed(state);
        HostFacts machine = HostFacts.read("127.0.0.1");
        var facts = machine.as("host" + i, "10.249.0." + (i + 1));
        Node node = new Node(state, db, (u, p) -> true, facts, r -> "<value>" + r + "</value>", limits);
        while (nodes.size() <= i) nodes.add(null);
        nodes.set(i, node);
        return node;
    }

    void restart(int i) {
        nodes.get(i).close();
        nodes.set(i, null);
        start(i);
    }

    static Object call(Node node, String method, Object... params) { return node.rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    static String login(Node node) { return (String) call(node, "session.login_with_password", "root", "x"); }

    static ApiError fails(Node node, String method, Object... params) {
        return assertThrows(ApiError.class, () -> call(node, method, params), method);
    }

    static void assertBelongsTo(Node owner, ApiError e) {
        assertEquals("CANNOT_CONTACT_HOST", e.code(), e.toString());
        assertEquals(List.of(owner.hostRef()), e.params());
    }

    /** The records each start makes, counted: what a second host must not duplicate and a restart must not change. */
    record Counts(int hosts, int pools, int hostMetrics, int hostCpus, int controlDomains, int templates, int networks, int pifs,
                  int srs, int pbds) {
        static Counts of(Database db) {
            var vms = db.all(VM.CLASS);
            return new Counts(db.all(Host.CLASS).size(), db.all(Pool.CLASS).size(), db.all(Host_metrics.CLASS).size(),
                    db.all(Host_cpu.CLASS).size(), (int) vms.stream().filter(v -> v.get(VM.is_control_domain)).count(),
                    (int) vms.stream().filter(v -> v.get(VM.is_a_template)).count(), db.all(Network.CLASS).size(),
                    db.all(PIF.CLASS).size(), db.all(SR.CLASS).size(), db.all(PBD.CLASS).size());
        }
    }

    @Test
    void eachHostAddsOnlyItsOwnRecordsAndARestartAddsNone() {
        Node first = start(0);
        Counts one = Counts.of(db);
        int cpus = one.hostCpus();
        int pifsPerHost = one.pifs();
        assertEquals(1, one.hosts());
        for (int n = 2; n <= 3; n++) {
            start(n - 1);
            assertEquals(new Counts(n, 1, n, n * cpus, n, one.templates(), one.networks(), n * pifsPerHost, n * one.srs(), n * one.pbds()),
                    Counts.of(db), n + " hosts");
        }
        Counts three = Counts.of(db);
        for (int i = 0; i < 3; i++) {
            restart(i);
            assertEquals(three, Counts.of(db), "after host" + i + " restarted");
        }

        DbObject<Pool> pool = db.all(Pool.CLASS).getFirst();
        assertEquals(first.host(), pool.get(Pool.master), "the first host stays the coordinator");
        Set<String> names = db.all(Host.CLASS).stream().map(h -> h.get(Host.name_label)).collect(Collectors.toSet());
        assertEquals(Set.of("host0", "host1", "host2"), names);
        for (Node node : nodes) {
            DbObject<Host> host = db.require(node.host());
            DbObject<VM> dom0 = db.require(host.get(Host.control_domain));
            assertEquals(node.host(), dom0.get(VM.resident_on), "each control domain on its own host");
            assertEquals(cpus, db.referring(Host_cpu.host, node.host()).size());
            assertTrue(host.get(Host.enabled));
        }
    }

    @Test
    void aSecondHostsInterfacesJoinThePoolsNetworksOfTheSameBridge() {
        Node a = start(0);
        Node b = start(1);
        List<DbObject<PIF>> pifsOfA = db.referring(PIF.host, a.host());
        List<DbObject<PIF>> pifsOfB = db.referring(PIF.host, b.host());
        assertEquals(pifsOfA.size(), pifsOfB.size());
        for (DbObject<PIF> pa : pifsOfA) {
            DbObject<PIF> pb = pifsOfB.stream().filter(p -> p.get(PIF.device).equals(pa.get(PIF.device))).findFirst().orElseThrow();
            assertEquals(pa.get(PIF.network), pb.get(PIF.network), pa.get(PIF.device) + " of both hosts on one network");
        }
        Set<String> bridges = db.all(Network.CLASS).stream().map(n -> n.get(Network.bridge)).collect(Collectors.toSet());
        assertEquals(db.all(Network.CLASS).size(), bridges.size(), "one network per bridge");
    }

    @Test
    void eachLocalSrIsPluggedOnItsOwnHostAlone() {
        Node a = start(0);
        Node b = start(1);
        Ref<SR> defaultSr = db.all(Pool.CLASS).getFirst().get(Pool.default_SR);
        for (Node node : List.of(a, b)) {
            List<DbObject<SR>> local = db.all(SR.CLASS).stream().filter(s -> s.get(SR.name_label).equals("Local storage"))
                    .filter(s -> db.referring(PBD.SR, s.self(SR.CLASS)).stream().anyMatch(p -> p.get(PBD.host).equals(node.host())))
                    .toList();
            assertEquals(1, local.size(), "one local SR for " + node.hostRef());
            DbObject<SR> sr = local.getFirst();
            assertFalse(sr.get(SR.shared));
            List<DbObject<PBD>> pbds = db.referring(PBD.SR, sr.self(SR.CLASS));
            assertEquals(1, pbds.size(), "the local SR's one PBD");
            assertTrue(pbds.getFirst().get(PBD.currently_attached));
            assertEquals(sr.self(SR.CLASS), db.require(node.host()).get(Host.suspend_image_sr), "each host suspends to its own SR");
        }
        assertEquals(a.host(), db.referring(PBD.SR, defaultSr).getFirst().get(PBD.host), "the pool's default SR stays the first host's");

        String s = login(b);
        Ref<PBD> pbdOfA = db.referring(PBD.SR, defaultSr).getFirst().self(PBD.CLASS);
        assertBelongsTo(a, fails(b, "PBD.unplug", s, pbdOfA.value()));
        assertBelongsTo(a, fails(b, "PBD.plug", s, pbdOfA.value()));
        assertBelongsTo(a, fails(b, "SR.scan", s, defaultSr.value()));
        var vdi = vdiArgs(defaultSr, "on A's disk");
        assertBelongsTo(a, fails(b, "VDI.create", s, vdi));
        assertBelongsTo(a, fails(b, "SR.create", s, a.hostRef(), Map.of(), 0L, "elsewhere", "", "file", "user", false, Map.of()));
        assertTrue(db.require(pbdOfA).get(PBD.currently_attached), "A's SR still plugged on A");
        // and the same calls on A are A's to serve
        String sa = login(a);
        call(a, "SR.scan", sa, defaultSr.value());
        call(a, "VDI.create", sa, vdi);
    }

    @Test
    void aRunningVmOfAnotherHostIsLeftAloneWhenAHostStarts() {
        Node a = start(0);
        Ref<VM> running = vm("running on A", v -> {
            v.put("power_state", "Running");
            v.put("resident_on", a.hostRef());
            v.put("domid", 7L);
            v.put("current_operations", Map.of("OpaqueRef:" + Refs.newUuid(), "clean_reboot"));
        });
        Ref<VM> starting = vm("starting on A", v -> {
            v.put("scheduled_to_be_resident_on", a.hostRef());
            v.put("domid", 8L);
            v.put("current_operations", Map.of("OpaqueRef:" + Refs.newUuid(), "start"));
        });

        start(1);
        start(2);
        restart(1);
        DbObject<VM> r = db.require(running);
        assertEquals(VmPowerState.Running, r.get(VM.power_state), "another host's start does not halt A's VM");
        assertEquals(a.host(), r.get(VM.resident_on));
        assertEquals(7L, r.get(VM.domid));
        assertEquals(List.of(VmOperations.clean_reboot), List.copyOf(r.get(VM.current_operations).values()));
        DbObject<VM> s = db.require(starting);
        assertEquals(8L, s.get(VM.domid), "nor touches a VM A is starting");
        assertEquals(a.host(), s.get(VM.scheduled_to_be_resident_on));
        assertEquals(1, s.get(VM.current_operations).size());

        // A has no QEMU for either: its own restart is what corrects them
        restart(0);
        r = db.require(running);
        assertEquals(VmPowerState.Halted, r.get(VM.power_state));
        assertTrue(r.get(VM.resident_on).isNull());
        assertTrue(r.get(VM.current_operations).isEmpty());
        s = db.require(starting);
        assertEquals(-1L, s.get(VM.domid));
        assertTrue(s.get(VM.scheduled_to_be_resident_on).isNull());
        assertTrue(s.get(VM.current_operations).isEmpty());
    }

    @Test
    void callsOnAnotherHostsVmOrHostAreThatHostsToServe() {
        Node a = start(0);
        Node b = start(1);
        Ref<VM> running = vm("running on A", v -> {
            v.put("power_state", "Running");
            v.put("resident_on", a.hostRef());
            v.put("domid", 7L);
        });
        b.vmRuntime().refreshAllowedOperations();
        String s = login(b);
        for (String op : List.of("VM.pause", "VM.clean_shutdown", "VM.hard_shutdown", "VM.clean_reboot", "VM.hard_reboot", "VM.suspend",
                "VM.shutdown", "VM.get_data_sources")) {
            assertBelongsTo(a, fails(b, op, s, running.value()));
        }
        assertEquals(VmPowerState.Running, db.require(running).get(VM.power_state));

        // moving a disk of A's running VM is A's to do, whichever SR it goes to
        Ref<VDI> disk = Refs.newRef(VDI.CLASS);
        Ref<SR> sr = db.all(SR.CLASS).getFirst().self(SR.CLASS);
        db.write(tx -> {
            tx.put(disk, db.newRecord(VDI.CLASS).set(VDI.uuid, Refs.newUuid()).set(VDI.SR, sr));
            tx.put(Refs.newRef(VBD.CLASS), db.newRecord(VBD.CLASS).set(VBD.uuid, Refs.newUuid()).set(VBD.VM, running).set(VBD.VDI, disk));
        });
        assertBelongsTo(a, fails(b, "VDI.pool_migrate", s, disk.value(), sr.value(), Map.of()));
        assertTrue(db.require(running).get(VM.current_operations).isEmpty());

        assertBelongsTo(a, fails(b, "host.disable", s, a.hostRef()));
        assertBelongsTo(a, fails(b, "host.get_data_sources", s, a.hostRef()));
        assertTrue(db.require(a.host()).get(Host.enabled));
        call(b, "host.disable", s, b.hostRef());
        assertFalse(db.require(b.host()).get(Host.enabled));
        assertTrue(db.require(a.host()).get(Host.enabled), "disabling B leaves A as it was");
    }

    @Test
    void placementWeighsEveryHostAndStartsOnlyHere() {
        Node a = start(0);
        Node b = start(1);
        Ref<VM> diskless = vm("no local disks", v -> { });
        b.vmRuntime().refreshAllowedOperations();
        String s = login(b);
        @SuppressWarnings("unchecked")
        List<String> possible = (List<String>) call(b, "VM.get_possible_hosts", s, diskless.value());
        assertEquals(Set.of(a.hostRef(), b.hostRef()), Set.copyOf(possible));
        call(b, "VM.assert_can_boot_here", s, diskless.value(), a.hostRef());

        assertBelongsTo(a, fails(b, "VM.start_on", s, diskless.value(), a.hostRef(), false, false));
        db.write(tx -> tx.set(diskless, VM.affinity, a.host()));
        assertBelongsTo(a, fails(b, "VM.start", s, diskless.value(), false, false));
        DbObject<VM> after = db.require(diskless);
        assertEquals(VmPowerState.Halted, after.get(VM.power_state));
        assertTrue(after.get(VM.current_operations).isEmpty(), "the refused start left no operation behind");
        assertTrue(after.get(VM.scheduled_to_be_resident_on).isNull());
        assertTrue(db.require(a.host()).get(Host.current_operations).isEmpty());

        // a VM on A's local SR can boot on A alone, and a start taken by B is A's
        Ref<SR> srOfA = db.all(Pool.CLASS).getFirst().get(Pool.default_SR);
        String sa = login(a);
        String disk = (String) call(a, "VDI.create", sa, vdiArgs(srOfA, "disk"));
        Ref<VM> local = vm("on A's disk", v -> { });
        var vbd = new LinkedHashMap<String, Object>();
        vbd.put("uuid", Refs.newUuid());
        vbd.put("VM", local.value());
        vbd.put("VDI", disk);
        vbd.put("userdevice", "0");
        vbd.put("bootable", true);
        vbd.put("mode", "RW");
        vbd.put("type", "Disk");
        vbd.put("empty", false);
        db.write(tx -> tx.put(VBD.CLASS.name(), Refs.newRef(VBD.CLASS).value(), vbd));
        @SuppressWarnings("unchecked")
        List<String> onlyA = (List<String>) call(b, "VM.get_possible_hosts", s, local.value());
        assertEquals(List.of(a.hostRef()), onlyA);
        assertEquals("VM_REQUIRES_SR", fails(b, "VM.assert_can_boot_here", s, local.value(), b.hostRef()).code());
        assertBelongsTo(a, fails(b, "VM.start", s, local.value(), false, false));
    }

    @Test
    void eachHostCollectsItsOwnSessionsAndTasksAlone() throws InterruptedException {
        Node a = start(0);
        var tight = ApiLimits.defaults()
                .withSessions(new Sessions.Limits(Duration.ofHours(24), 1, 1, 1))
                .withTasks(new Tasks.Limits(Duration.ZERO, Duration.ZERO, 200))
                .withCollectionInterval(Duration.ofMillis(50));
        List<String> sessionsOfA = List.of(login(a), login(a), login(a));
        String taskOfA = (String) call(a, "task.create", sessionsOfA.getFirst(), "A's", "");
        Node b = start(1, tight);
        String kept = login(b);
        Thread.sleep(5);
        String newest = login(b);
        String taskOfB = (String) call(b, "task.create", newest, "B's", "");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (db.referring(Session.this_host, b.host()).size() > 1 || db.exists(Task.CLASS.ref(taskOfB))) {
            assertTrue(System.nanoTime() < deadline, "B's collection did not run");
            Thread.sleep(20);
        }
        for (String sa : sessionsOfA) assertTrue(db.exists(Session.CLASS.ref(sa)), "A's sessions are A's to collect");
        assertTrue(db.exists(Task.CLASS.ref(taskOfA)), "A's task is A's to collect");
        assertEquals(1, List.of(kept, newest).stream().filter(x -> db.exists(Session.CLASS.ref(x))).count());
    }

    /** VDI.create's record: a 1 MiB user disk on {@code sr}. */
    static Map<String, Object> vdiArgs(Ref<SR> sr, String name) {
        var vdi = new LinkedHashMap<String, Object>();
        vdi.put("name_label", name);
        vdi.put("SR", sr.value());
        vdi.put("virtual_size", 1L << 20);
        vdi.put("type", "user");
        vdi.put("sharable", false);
        vdi.put("read_only", false);
        vdi.put("other_config", Map.of());
        return vdi;
    }

    /** A halted VM booting the test guest's kernel, with the test's changes, straight into the database (it never boots here). */
    Ref<VM> vm(String name, java.util.function.Consumer<Map<String, Object>> tweak) {
        Ref<VM> ref = Refs.newRef(VM.CLASS);
        var f = TestGuest.vmFields(name, 64, "");
        f.put("uuid", Refs.newUuid());
        f.put("power_state", "Halted");
        f.put("memory_target", 64L << 20);
        tweak.accept(f);
        db.write(tx -> tx.put(VM.CLASS.name(), ref.value(), f));
        return ref;
    }
}
