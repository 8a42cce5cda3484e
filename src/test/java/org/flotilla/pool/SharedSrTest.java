package org.flotilla.pool;

import static org.flotilla.pool.ForwardingNodes.call;
import static org.flotilla.pool.SharedDatabaseTest.assertBelongsTo;
import static org.flotilla.pool.SharedDatabaseTest.fails;
import static org.flotilla.pool.SharedDatabaseTest.login;
import static org.flotilla.pool.SharedDatabaseTest.vdiArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.api.Refs;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared file SR (a directory every host reaches at the same path, as a file system each mounts there): a PBD on
 * every host of the pool, each plugged by its own host; a host that starts later gets its own; any host with the SR
 * plugged works on its VDIs, and placement counts every such host; the SR goes only once every host has unplugged it.
 */
class SharedSrTest {
    @TempDir Path dir;
    ForwardingNodes pool;

    @AfterEach
    void close() { if (pool != null) pool.close(); }

    ForwardingNodes pool() { return pool = new ForwardingNodes(dir, "10.249.2"); }

    Path sharedDir() { return dir.resolve("shared"); }

    /** SR.create of a shared file SR in {@code location}, called on {@code node} for its own host. */
    static Ref<SR> createShared(Node node, Path location) {
        String s = login(node);
        return SR.CLASS.ref((String) call(node, "SR.create", s, node.hostRef(), Map.of("location", location.toString()), 0L, "shared",
                "", "file", "user", true, Map.of()));
    }

    List<DbObject<PBD>> pbdsOf(Ref<SR> sr) { return pool.db.referring(PBD.SR, sr); }

    /** The host's PBD for the SR. */
    Ref<PBD> pbdOn(Ref<SR> sr, Node host) {
        return pbdsOf(sr).stream().filter(p -> p.get(PBD.host).equals(host.host())).findFirst().orElseThrow().self(PBD.CLASS);
    }

    /** Set by {@link #twoHostsSharing}: two hosts forwarding to each other, a shared SR that A made, and a session on each. */
    Node a;
    Node b;
    Ref<SR> shared;
    String sa;
    String sb;

    void twoHostsSharing() {
        pool();
        a = pool.start(0);
        b = pool.start(1);
        shared = createShared(a, sharedDir());
        sa = login(a);
        sb = login(b);
    }

    void assertPluggedOnEveryHost(Ref<SR> sr, int hosts) {
        List<DbObject<PBD>> pbds = pbdsOf(sr);
        assertEquals(hosts, pbds.size(), "a PBD per host");
        assertEquals(hosts, pbds.stream().map(p -> p.get(PBD.host)).distinct().count(), "one per host");
        for (DbObject<PBD> p : pbds) {
            assertTrue(p.get(PBD.currently_attached), "plugged on " + p.get(PBD.host).value());
            assertEquals(Map.of("location", sharedDir().toString()), p.get(PBD.device_config));
        }
    }

    @Test
    void sharedCreateGivesEveryHostAPluggedPbdWithTheSameDeviceConfig() {
        pool();
        pool.start(0);
        Node b = pool.start(1);
        pool.start(2);
        Ref<SR> sr = createShared(b, sharedDir());
        DbObject<SR> record = pool.db.require(sr);
        assertTrue(record.get(SR.shared));
        assertEquals("file", record.get(SR.type));
        assertTrue(Files.isDirectory(sharedDir()));
        assertPluggedOnEveryHost(sr, 3);

        // and a start plugs them again without adding any
        pool.restart(0);
        pool.restart(2);
        assertPluggedOnEveryHost(sr, 3);
    }

    @Test
    void aHostThatCannotBeReachedPlugsItsPbdAtItsNextStart() {
        pool();
        Node a = pool.startAlone(0);
        pool.startAlone(1);
        Ref<SR> sr = createShared(a, sharedDir());
        DbObject<PBD> ofB = pbdsOf(sr).stream().filter(p -> p.get(PBD.host).equals(pool.node(1).host())).findFirst().orElseThrow();
        assertFalse(ofB.get(PBD.currently_attached), "B was not asked");
        assertTrue(pbdsOf(sr).stream().filter(p -> p.get(PBD.host).equals(a.host())).findFirst().orElseThrow().get(PBD.currently_attached));
        pool.restart(1);
        assertPluggedOnEveryHost(sr, 2);
    }

    @Test
    void aHostStartedLaterGetsItsOwnPbdAndPlugsIt() {
        pool();
        pool.start(0);
        pool.start(1);
        Ref<SR> sr = createShared(pool.node(0), sharedDir());
        Node c = pool.start(2);
        assertPluggedOnEveryHost(sr, 3);
        assertEquals(1, pbdsOf(sr).stream().filter(p -> p.get(PBD.host).equals(c.host())).count());
        pool.restart(2);
        assertPluggedOnEveryHost(sr, 3);
        // a local SR stays its own host's
        Ref<SR> localOfA = pool.db.all(Pool.CLASS).getFirst().get(Pool.default_SR);
        assertEquals(1, pbdsOf(localOfA).size());
    }

    @Test
    void vdisAreMadeAndRemovedThroughAnyHostThatHasTheSrPlugged() {
        twoHostsSharing();
        Ref<SR> sr = shared;
        Ref<VDI> onA = VDI.CLASS.ref((String) call(a, "VDI.create", sa, vdiArgs(sr, "made through A")));
        Ref<VDI> onB = VDI.CLASS.ref((String) call(b, "VDI.create", sb, vdiArgs(sr, "made through B")));
        for (Ref<VDI> v : List.of(onA, onB)) {
            assertTrue(Files.isRegularFile(sharedDir().resolve(pool.db.require(v).get(VDI.location) + ".qcow2")), "one directory for both");
        }
        call(b, "SR.scan", sb, sr.value());
        call(a, "SR.scan", sa, sr.value());
        assertTrue(pool.db.exists(onA) && pool.db.exists(onB), "each host's scan finds the other's disk");
        Path imageOfA = sharedDir().resolve(pool.db.require(onA).get(VDI.location) + ".qcow2");
        call(b, "VDI.destroy", sb, onA.value());
        assertFalse(Files.exists(imageOfA), "B removed the disk A made");
        assertFalse(pool.db.exists(onA));

        // B unplugged: B's VDI calls go where the SR is plugged (CANNOT_CONTACT_HOST naming A, were they not forwarded)
        Ref<PBD> pbdOfB = pbdOn(sr, b);
        call(b, "PBD.unplug", sb, pbdOfB.value());
        Ref<VDI> forwarded = VDI.CLASS.ref((String) call(b, "VDI.create", sb, vdiArgs(sr, "made on A for B")));
        assertTrue(pool.db.exists(forwarded));
        Node alone = pool.startAlone(2);
        String sc = login(alone);
        Ref<PBD> pbdOfC = pbdOn(sr, alone);
        call(alone, "PBD.unplug", sc, pbdOfC.value());
        assertBelongsTo(a, fails(alone, "VDI.create", sc, vdiArgs(sr, "nowhere")));
    }

    @Test
    void aVmOnTheSharedSrMayBootOnEveryHostAndOneOnALocalSrOnItsOwn() {
        twoHostsSharing();
        Ref<VM> onShared = vmWithDisk("on the shared SR", VDI.CLASS.ref((String) call(b, "VDI.create", sb, vdiArgs(shared, "disk"))));
        Ref<SR> localOfB = pool.db.require(b.host()).get(Host.suspend_image_sr);
        Ref<VM> onLocal = vmWithDisk("on B's local SR", VDI.CLASS.ref((String) call(b, "VDI.create", sb, vdiArgs(localOfB, "disk"))));
        a.vmRuntime().refreshAllowedOperations();
        assertEquals(Set.of(a.hostRef(), b.hostRef()), possibleHosts(a, sa, onShared));
        assertEquals(Set.of(b.hostRef()), possibleHosts(a, sa, onLocal));
        call(a, "VM.assert_agile", sa, onShared.value());
        assertEquals("HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED", fails(a, "VM.assert_agile", sa, onLocal.value()).code());

        // a host whose PBD is unplugged cannot boot it
        Ref<PBD> pbdOfA = pbdOn(shared, a);
        call(a, "PBD.unplug", sa, pbdOfA.value());
        assertEquals(Set.of(b.hostRef()), possibleHosts(a, sa, onShared));
        assertEquals("VM_REQUIRES_SR", fails(b, "VM.assert_can_boot_here", sb, onShared.value(), a.hostRef()).code());
    }

    @Test
    void aVmRunningOnOneHostIsNotStartedOnAnotherAndKeepsItsHostsPbdPlugged() {
        twoHostsSharing();
        Ref<SR> sr = shared;
        Ref<VDI> disk = VDI.CLASS.ref((String) call(a, "VDI.create", sa, vdiArgs(sr, "disk")));
        Ref<VM> vm = vmWithDisk("running on A", disk);
        pool.db.write(tx -> {
            tx.set(vm, VM.power_state, VmPowerState.Running);
            tx.set(vm, VM.resident_on, a.host());
            tx.set(vm, VM.domid, 7L);
            for (DbObject<VBD> vbd : pool.db.referring(VBD.VM, vm)) tx.set(vbd.self(VBD.CLASS), VBD.currently_attached, true);
        });
        b.vmRuntime().refreshAllowedOperations();
        // the one writer of the disk is A's QEMU: the record's power state refuses every other start
        assertEquals("VM_BAD_POWER_STATE", fails(b, "VM.start", sb, vm.value(), false, false).code());
        assertEquals("VM_BAD_POWER_STATE", fails(b, "VM.start_on", sb, vm.value(), b.hostRef(), false, false).code());
        assertEquals("VM_BAD_POWER_STATE", fails(a, "VM.start_on", sa, vm.value(), b.hostRef(), false, false).code());
        assertEquals(a.host(), pool.db.require(vm).get(VM.resident_on));
        assertEquals(VmPowerState.Running, pool.db.require(vm).get(VM.power_state));

        // nor may another VM open the disk, on any host, unless the VDI is sharable and neither writes it
        Ref<VM> second = vmWithDisk("the same disk on B", disk);
        b.vmRuntime().refreshAllowedOperations();
        assertEquals(List.of("VDI_IN_USE", disk.value()), fails(b, "VM.start_on", sb, second.value(), b.hostRef(), false, false).description());
        assertEquals(VmPowerState.Halted, pool.db.require(second).get(VM.power_state));
        assertTrue(b.vmRuntime().pids().isEmpty(), "no QEMU started");
        assertEquals(List.of("VDI_IN_USE", disk.value()), fails(a, "VM.start_on", sa, second.value(), a.hostRef(), false, false).description());

        // the disk is open on A alone: B may unplug its PBD, A may not
        Ref<PBD> pbdOfA = pbdOn(sr, a);
        Ref<PBD> pbdOfB = pbdOn(sr, b);
        assertEquals("VDI_IN_USE", fails(a, "PBD.unplug", sa, pbdOfA.value()).code());
        call(b, "PBD.unplug", sb, pbdOfB.value());
        assertFalse(pool.db.require(pbdOfB).get(PBD.currently_attached));
        assertTrue(pool.db.require(pbdOfA).get(PBD.currently_attached));
    }

    @Test
    void destroyAndForgetWaitUntilEveryHostHasUnpluggedTheSr() throws Exception {
        pool();
        Node a = pool.start(0);
        Node b = pool.start(1);
        pool.start(2);
        Ref<SR> sr = createShared(b, sharedDir());
        String sa = login(a);
        call(a, "VDI.destroy", sa, call(a, "VDI.create", sa, vdiArgs(sr, "gone before the SR")));
        assertEquals("SR_HAS_PBD", fails(a, "SR.destroy", sa, sr.value()).code());
        // XAPI's order: unplug each PBD (each on its own host), then destroy
        List<Ref<PBD>> pbds = pbdsOf(sr).stream().map(p -> p.self(PBD.CLASS)).toList();
        call(a, "PBD.unplug", sa, pbds.getFirst().value());
        assertEquals("SR_HAS_PBD", fails(a, "SR.destroy", sa, sr.value()).code(), "two hosts still have it plugged");
        for (Ref<PBD> p : pbds) call(a, "PBD.unplug", sa, p.value());
        call(a, "SR.destroy", sa, sr.value());
        assertFalse(pool.db.exists(sr));
        assertTrue(pbds.stream().noneMatch(pool.db::exists), "every host's PBD went with it");
        assertFalse(Files.exists(sharedDir()), "the directory SR.create made");

        // forget leaves the disks and a directory that was there before
        Path existing = Files.createDirectory(dir.resolve("mounted"));
        Ref<SR> other = createShared(a, existing);
        String image = pool.db.require(VDI.CLASS.ref((String) call(b, "VDI.create", sa, vdiArgs(other, "kept")))).get(VDI.location) + ".qcow2";
        assertEquals("SR_HAS_PBD", fails(b, "SR.forget", sa, other.value()).code());
        for (DbObject<PBD> p : pbdsOf(other)) call(b, "PBD.unplug", sa, p.ref());
        call(b, "SR.forget", sa, other.value());
        assertFalse(pool.db.exists(other));
        assertTrue(pool.db.all(PBD.CLASS).stream().noneMatch(p -> p.get(PBD.SR).equals(other)));
        assertTrue(Files.isRegularFile(existing.resolve(image)));
        // and no host brings a PBD back for a forgotten SR
        pool.restart(2);
        assertTrue(pool.db.all(PBD.CLASS).stream().noneMatch(p -> p.get(PBD.SR).equals(other)));
    }

    @Test
    void aHostThatSeesAnotherDirectoryAtTheSrsPathDoesNotPlugIt() throws Exception {
        twoHostsSharing();
        Ref<SR> sr = shared;
        Ref<VDI> disk = VDI.CLASS.ref((String) call(b, "VDI.create", sb, vdiArgs(sr, "the pool's disk")));
        // as if B's mount were missing: an empty directory of B's own where the SR should be
        Path unmounted = Files.createDirectory(dir.resolve("not-mounted"));
        Ref<PBD> pbdOfB = pbdOn(sr, b);
        call(b, "PBD.unplug", sb, pbdOfB.value());
        call(b, "PBD.set_device_config", sb, pbdOfB.value(), Map.of("location", unmounted.toString()));
        var refused = fails(b, "PBD.plug", sb, pbdOfB.value());
        assertEquals(List.of("SR_BACKEND_FAILURE", "47"), refused.description().subList(0, 2), refused.toString());
        assertFalse(pool.db.require(pbdOfB).get(PBD.currently_attached));
        assertTrue(pool.db.exists(disk), "no scan of the wrong directory forgot the pool's disk");
        pool.restart(1);
        assertFalse(pool.db.require(pbdOfB).get(PBD.currently_attached), "nor does a start plug it");
        assertTrue(pool.db.exists(disk));

        // once the right directory is back, B plugs it
        call(pool.node(1), "PBD.set_device_config", login(pool.node(1)), pbdOfB.value(), Map.of("location", sharedDir().toString()));
        call(pool.node(1), "PBD.plug", login(pool.node(1)), pbdOfB.value());
        assertPluggedOnEveryHost(sr, 2);
        assertEquals("SR_HAS_MULTIPLE_PBDS", fails(a, "SR.set_shared", login(a), sr.value(), false).code());
    }

    @Test
    void anSrMadeSharedLaterIsMarkedAndPluggedByAHostGivenAPbd() {
        pool();
        Node a = pool.start(0);
        Node b = pool.start(1);
        String sa = login(a);
        Ref<SR> sr = SR.CLASS.ref((String) call(a, "SR.create", sa, a.hostRef(), Map.of("location", sharedDir().toString()), 0L, "local first",
                "", "file", "user", false, Map.of()));
        var pbdArgs = new LinkedHashMap<String, Object>(Map.of("host", b.hostRef(), "SR", sr.value(), "device_config",
                Map.of("location", sharedDir().toString()), "other_config", Map.of()));
        Path mark = sharedDir().resolve(".flotilla-sr-" + pool.db.require(sr).get(SR.uuid));
        assertFalse(Files.exists(mark), "a local SR needs no mark");
        call(a, "SR.set_shared", sa, sr.value(), true);
        assertTrue(Files.isRegularFile(mark), "A has it plugged: it marks it");
        call(a, "PBD.plug", sa, call(a, "PBD.create", sa, pbdArgs));
        assertPluggedOnEveryHost(sr, 2);
        pool.restart(1);
        assertPluggedOnEveryHost(sr, 2);
    }

    @Test
    void aSharedSrNamesItsDirectory() {
        pool();
        Node a = pool.start(0);
        String sa = login(a);
        var e = fails(a, "SR.create", sa, a.hostRef(), Map.of(), 0L, "nowhere", "", "file", "user", true, Map.of());
        assertEquals(List.of("SR_BACKEND_FAILURE", "94"), e.description().subList(0, 2), "device_config:location missing");
        assertTrue(pool.db.all(SR.CLASS).stream().noneMatch(s -> s.get(SR.name_label).equals("nowhere")));
    }

    Set<String> possibleHosts(Node node, String session, Ref<VM> vm) {
        @SuppressWarnings("unchecked")
        List<String> hosts = (List<String>) call(node, "VM.get_possible_hosts", session, vm.value());
        return hosts.stream().collect(Collectors.toSet());
    }

    Ref<VM> vmWithDisk(String name, Ref<VDI> disk) { return vmWithDisk(pool.db, TestGuest.vmFields(name, 64, ""), disk); }

    /** A halted VM of {@code fields} (the test guest's) with {@code disk} as its boot disk, straight into the database. */
    static Ref<VM> vmWithDisk(Database db, Map<String, Object> fields, Ref<VDI> disk) {
        Ref<VM> ref = Refs.newRef(VM.CLASS);
        var f = new LinkedHashMap<>(fields);
        f.put("uuid", Refs.newUuid());
        f.put("power_state", "Halted");
        f.put("memory_target", f.get("memory_static_max"));
        var vbd = new LinkedHashMap<String, Object>();
        vbd.put("uuid", Refs.newUuid());
        vbd.put("VM", ref.value());
        vbd.put("VDI", disk.value());
        vbd.put("userdevice", "0");
        vbd.put("bootable", true);
        vbd.put("mode", "RW");
        vbd.put("type", "Disk");
        vbd.put("empty", false);
        db.write(tx -> {
            tx.put(VM.CLASS.name(), ref.value(), f);
            tx.put(VBD.CLASS.name(), Refs.newRef(VBD.CLASS).value(), vbd);
        });
        return ref;
    }
}
