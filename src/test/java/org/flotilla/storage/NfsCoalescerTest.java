package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flotilla.Slow;
import org.flotilla.api.ApiLimits;
import org.flotilla.daemon.Node;
import org.flotilla.db.DbObject;
import org.flotilla.host.HostFacts;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VbdType;
import org.junit.jupiter.api.Test;

/**
 * The collector of chains on an NFS SR, a shared SR: the pool's coordinator merges what a destroyed snapshot leaves,
 * through the SR's own access path (qemu-img's nfs driver and libnfs, nothing mounted), crash-safely across a restart;
 * a member never does while it is not the coordinator, and a new coordinator finishes what a killed one left once the
 * killed one's lease has lapsed, never while it could still be merging.
 */
@Slow
class NfsCoalescerTest extends OnAnNfsSr {

    @Test
    void aHaltedVmsDiskWithADestroyedSnapshotIsMergedBackOverNfs() throws Exception {
        String sr = createSr();
        String vdi = createVdi(sr, 16 * MIB, "halted");
        haltedGuestWith("halted", vdi, VbdType.Disk);
        Path base = snapshotDestroyedLater(sr, vdi);
        String snapshot = snapshotOf(vdi);
        call("SR.update", session, sr);
        long before = (long) record("SR", sr).get("physical_utilisation");

        long t0 = System.nanoTime();
        call("VDI.destroy", session, snapshot);
        awaitIdle(node);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertMergedWithItsData(node, sr, vdi, base);
        assertEquals(Files.size(image(uuidOf(sr), vdi)), record("VDI", vdi).get("physical_utilisation"));
        long after = (long) record("SR", sr).get("physical_utilisation");
        assertTrue(before - after > 3 * MIB, "physical_utilisation dropped by " + (before - after) + ": the overlay's 4 MiB went");
        call("SR.update", session, sr);
        assertEquals(after, record("SR", sr).get("physical_utilisation"), "what the collector left is what the server says");
        assertNull(srSmConfig(sr).get(CoalesceClaim.BY), "the lease is given up after the pass");
        System.out.printf("coalesce offline over NFS: 4 MiB merged into an 8 MiB base copy in %d ms (destroy to idle)%n", ms);
    }

    @Test
    void aMergeInterruptedByAKillIsTakenUpAtTheNextStart() throws Exception {
        String sr = createSr();
        for (ChainMerges.Step step : List.of(ChainMerges.Step.COMMITTED, ChainMerges.Step.RENAMED)) {
            String vdi = createVdi(sr, 16 * MIB, "interrupted at " + step);
            Path base = snapshotDestroyedLater(sr, vdi);
            CountDownLatch reached = killAt(node, step, () -> { });
            call("VDI.destroy", session, snapshotOf(vdi));
            assertTrue(reached.await(30, TimeUnit.SECONDS), "the merge reached " + step);
            awaitIdle(node);
            assertNotNull(intentOf(sr), "the intent is recorded");
            assertEquals(node.hostRef(), srSmConfig(sr).get(CoalesceClaim.BY), "the killed collector's lease is left to lapse");

            node.close();
            boot(); // this host's own lease is taken again at once; the collector's first pass settles the merge and makes it
            awaitIdle(node);
            assertMergedWithItsData(node, sr, vdi, base);
            String srUuid = uuidOf(sr);
            try (var files = Files.list(server.exportDir().resolve(srUuid))) {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".tmp")).toList());
            }
        }
    }

    @Test
    void onlyTheCoordinatorCollectsAndTheNextOneFinishesWhatAKilledOneLeft() throws Exception {
        long lease = 5_000;
        System.setProperty("flotilla.coalesce-lease-ms", Long.toString(lease));
        System.setProperty("flotilla.coalesce-interval-ms", "300");
        Node member;
        try {
            node.close();
            boot();
            member = startMember();
        } finally {
            System.clearProperty("flotilla.coalesce-lease-ms");
            System.clearProperty("flotilla.coalesce-interval-ms");
        }
        try {
            String sr = createSr(); // plugs the coordinator's PBD; this test's hosts forward no calls, so the member plugs its own
            String memberSession = login(member);
            for (DbObject<PBD> pbd : node.db().referring(PBD.SR, SR.CLASS.ref(sr))) {
                if (pbd.get(PBD.host).equals(member.host())) member.rpc().call("PBD.plug", new ArrayList<>(List.of(memberSession, pbd.ref())));
            }
            var memberSteps = new CopyOnWriteArrayList<ChainMerges.Step>();
            member.storage().coalescer().setStepHook(memberSteps::add);

            // the coordinator merges; the member, every 300 ms, leaves the SR alone
            String first = createVdi(sr, 16 * MIB, "merged by the coordinator");
            Path firstBase = snapshotDestroyedLater(sr, first);
            call("VDI.destroy", session, snapshotOf(first));
            awaitIdle(node);
            assertMergedWithItsData(node, sr, first, firstBase);
            assertEquals(List.of(), memberSteps, "the member merged nothing");

            // the coordinator is killed after its commit, and the member elected: it waits for the lease, then finishes
            String vdi = createVdi(sr, 16 * MIB, "left by a killed coordinator");
            Path base = snapshotDestroyedLater(sr, vdi);
            Ref<Pool> pool = Pool.CLASS.ref(node.poolRef());
            long[] killedAt = new long[1];
            CountDownLatch reached = killAt(node, ChainMerges.Step.COMMITTED, () -> {
                killedAt[0] = System.nanoTime();
                node.db().write(tx -> tx.set(pool, Pool.master, member.host()));
            });
            call("VDI.destroy", session, snapshotOf(vdi));
            assertTrue(reached.await(30, TimeUnit.SECONDS), "the merge reached its commit");
            member.storage().coalescer().triggerAll(); // as the new coordinator does once it has recorded itself
            awaitIdle(member);
            if ((System.nanoTime() - killedAt[0]) / 1_000_000 < lease - 1_000) {
                assertNotNull(intentOf(sr), "the killed coordinator's intent stands while its lease has not lapsed");
                assertEquals(List.of(), memberSteps, "the new coordinator waits for the lease");
            }
            for (int i = 0; i < 300 && layers(member, vdi) > 1; i++) Thread.sleep(100);
            long ms = (System.nanoTime() - killedAt[0]) / 1_000_000;
            awaitIdle(member);
            assertMergedWithItsData(member, sr, vdi, base);
            assertTrue(ms >= lease - 1_000, "merged " + ms + " ms after the kill, with a lease of " + lease);
            assertEquals(List.of(ChainMerges.Step.INTENT_RECORDED, ChainMerges.Step.COMMITTED, ChainMerges.Step.RENAMED), memberSteps,
                    "the new coordinator rolled the killed one's merge back and made it again");
            System.out.printf("coalesce on a new coordinator: the killed one's merge finished %d ms after the kill (lease %d ms)%n", ms, lease);
        } finally {
            member.close();
        }
    }

    @Test
    void aMergeUnderAGuestRunningOnAMemberIsStreamedThereAndLosesNoWrite() throws Exception {
        rebootWithTheTestGuest();
        Node member = startMember();
        try {
            // the coordinator's calls for the member reach it in a local session of its own, as members forward calls
            String local = (String) member.rpc().call("session.slave_local_login",
                    new ArrayList<>(List.of(org.flotilla.pool.PoolSecret.ensure(dir.resolve("member")).value())));
            node.rpc().forwardThrough((host, method, arguments) -> {
                if (!host.equals(member.host())) throw org.flotilla.model.ApiError.of("CANNOT_CONTACT_HOST", host.value());
                var params = new ArrayList<Object>(List.of(local));
                params.addAll(arguments);
                return member.rpc().call(method, params);
            });
            String sr = createSr(); // the member's PBD plugged there through the forwarding
            String memberSession = login(member);
            String vdi = createVdi(sr, 16 * MIB, "counted on the member");
            writeOverNfs(uuidOf(sr), vdi, 0x5a, 1, 8); // the counter is at 4 KiB: this is the base copy's bulk, pulled up under the guest
            String vm = haltedGuestWith("counter", vdi, VbdType.Disk, "console=ttyS0 quiet panic=-1 flotilla.mode=counter flotilla.counter_ms=50").vm();
            member.vmRuntime().refreshAllowedOperations();
            member.rpc().call("VM.start_on", new ArrayList<>(List.of(memberSession, vm, member.hostRef(), false, false)));
            Path serial = dir.resolve("member").resolve("run").resolve(node.db().require(org.flotilla.model.xenapi.VM.CLASS.ref(vm))
                    .get(org.flotilla.model.xenapi.VM.uuid)).resolve("serial.log");
            long atSnapshot = org.flotilla.qemu.TestGuest.awaitCounts(serial, 5).getLast();
            String snapshot = (String) member.rpc().call("VDI.snapshot", new ArrayList<>(List.of(memberSession, vdi, Map.of())));
            Path base = image(uuidOf(sr), node.db().referring(VDI.SR, SR.CLASS.ref(sr)).stream().filter(v -> !v.get(VDI.managed))
                    .map(DbObject::ref).findFirst().orElseThrow());
            CoalescerTest.awaitCountBeyond(serial, atSnapshot + 5);
            var memberSteps = new CopyOnWriteArrayList<ChainMerges.Step>();
            member.storage().coalescer().setStepHook(memberSteps::add);

            long beforeMerge = org.flotilla.qemu.TestGuest.awaitCounts(serial, 1).getLast();
            long t0 = System.nanoTime();
            System.setProperty("flotilla.coalesce-speed", Long.toString(4L << 20)); // 2 s of streaming: the guest writes on meanwhile
            try {
                call("VDI.destroy", session, snapshot); // on the coordinator, whose collector asks the member to stream
                awaitIdle(node);
            } finally {
                System.clearProperty("flotilla.coalesce-speed");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(org.flotilla.qemu.TestGuest.awaitCounts(serial, 1).getLast() > beforeMerge + 10, "the guest counted on during the merge");
            assertEquals(List.of(ChainMerges.Step.STREAMING), memberSteps, "the member's QEMU streamed");
            assertEquals(1, layers(node, vdi), "the chain is one image again");
            assertFalse(Files.exists(base), "the base copy's image is gone from the server");
            long afterMerge = org.flotilla.qemu.TestGuest.awaitCounts(serial, 1).getLast();
            CoalescerTest.awaitCountBeyond(serial, afterMerge + 5);
            long printed = org.flotilla.qemu.TestGuest.awaitCounts(serial, 1).getLast();
            member.rpc().call("VM.clean_shutdown", new ArrayList<>(List.of(memberSession, vm)));
            long onDisk = Long.parseLong(CoalescerTest.counterOnDisk(node, dir, vdi).substring("FLOTILLA-COUNTER ".length()));
            assertTrue(onDisk >= printed && onDisk < printed + 20, "the disk holds count " + onDisk + ", the guest had printed " + printed);
            CoalescerTest.read(image(uuidOf(sr), vdi), 0x5a, 1, 8);
            run("qemu-img", "check", "-q", image(uuidOf(sr), vdi).toString());
            System.out.printf("coalesce online on a member: an 8 MiB base copy streamed at 4 MiB/s under a counting guest there in %d ms (destroy to idle)%n", ms);
        } finally {
            member.vmRuntime().pids().values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            member.close();
        }
    }

    /** A second host on the node's database (not its coordinator), with a state directory of its own. */
    private Node startMember() throws java.io.IOException {
        Path state = Files.createDirectories(dir.resolve("member"));
        org.flotilla.TestDomainIds.seed(state);
        return new Node(state, node.db(), (u, p) -> true, HostFacts.read("127.0.0.1").as("member", "10.199.0.2"),
                r -> "<value>" + r + "</value>", ApiLimits.defaults());
    }

    private static String login(Node n) { return (String) n.rpc().call("session.login_with_password", new ArrayList<>(List.of("root", "x"))); }

    /**
     * 8 MiB of 0x11 on the disk, a snapshot (left for the caller to destroy), then 4 MiB of 0x22 over its first half;
     * returns the base copy's image on the server.
     */
    private Path snapshotDestroyedLater(String sr, String vdi) {
        String srUuid = uuidOf(sr);
        writeOverNfs(srUuid, vdi, 0x11, 0, 8);
        snapshots.put(vdi, (String) call("VDI.snapshot", session, vdi, Map.of()));
        writeOverNfs(srUuid, vdi, 0x22, 0, 4);
        assertEquals(2, layers(node, vdi));
        return image(srUuid, node.db().referring(VDI.SR, SR.CLASS.ref(sr)).stream().filter(v -> !v.get(VDI.managed))
                .filter(v -> !v.get(VDI.sm_config).containsKey(ChainMerges.INTENT)).map(DbObject::ref).findFirst().orElseThrow());
    }

    /**
     * Whole clusters written into the VDI's top image alone, through the server as every client reaches it: written
     * behind its back, on its own file system, they would not be seen by clients that hold the file's old attributes.
     */
    private void writeOverNfs(String srUuid, String vdi, int pattern, int at, int mib) {
        ObjectNode top = JSON.createObjectNode().put("driver", "qcow2");
        top.set("file", new NfsDir(server.address(), NfsServer.EXPORT, "/" + srUuid).fileNode(call("VDI.get_location", session, vdi) + ".qcow2"));
        top.putNull("backing");
        run("qemu-io", "-c", String.format("write -q -P 0x%x %dM %dM", pattern, at, mib), "json:" + top);
    }

    private final Map<String, String> snapshots = new java.util.HashMap<>();

    private String snapshotOf(String vdi) { return snapshots.get(vdi); }

    private void assertMergedWithItsData(Node n, String sr, String vdi, Path base) {
        assertEquals(1, layers(n, vdi), "the chain is one image again");
        assertEquals(List.of(), n.db().referring(VDI.SR, SR.CLASS.ref(sr)).stream().filter(v -> !v.get(VDI.managed)).toList());
        assertFalse(Files.exists(base), "the base copy's image is gone from the server");
        Path image = image(uuidOf(sr), vdi);
        CoalescerTest.read(image, 0x22, 0, 4);
        CoalescerTest.read(image, 0x11, 4, 4);
        run("qemu-img", "check", "-q", image.toString());
    }

    /** Kills the node's collector when it reaches {@code step}, after {@code before}. */
    private static CountDownLatch killAt(Node n, ChainMerges.Step step, Runnable before) {
        var reached = new CountDownLatch(1);
        n.storage().coalescer().setStepHook(s -> {
            if (s != step || reached.getCount() == 0) return;
            before.run();
            reached.countDown();
            throw new CoalescerTest.Killed();
        });
        return reached;
    }

    private String intentOf(String sr) {
        return node.db().referring(VDI.SR, SR.CLASS.ref(sr)).stream().map(v -> v.get(VDI.sm_config).get(ChainMerges.INTENT))
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    private Map<String, String> srSmConfig(String sr) { return node.db().require(SR.CLASS.ref(sr)).get(SR.sm_config); }

    private String uuidOf(String sr) { return node.db().require(SR.CLASS.ref(sr)).get(SR.uuid); }

    private static int layers(Node n, String vdi) { return n.storage().attachment(VDI.CLASS.ref(vdi)).layers().size(); }

    private static void awaitIdle(Node n) throws InterruptedException {
        assertTrue(n.storage().coalescer().awaitIdle(Duration.ofSeconds(60)), "the collector went idle");
    }
}
