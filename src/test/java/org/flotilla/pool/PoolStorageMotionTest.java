package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.flotilla.cli.HostConnector;
import org.flotilla.cli.Xe;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.SR;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Storage XenMotion between two daemons in their own namespaces: a guest counting on a disk in the coordinator's own
 * SR moves, by {@code xe vm-migrate ... vdi:<vdi uuid>=<sr uuid>}, to the member with its disk copied into the
 * member's own SR, the disk's NBD traffic and the memory going QEMU to QEMU, with their own TLS, over the pool's link; and a guest
 * writing all over its disk moves there and back, writing on each time.
 */
@Slow
class PoolStorageMotionTest {
    private static final SharedTestPool POOL = new SharedTestPool(2, pool -> { });
    /** What the test guest's kernel prints when its memory was not moved whole (as QEMU 7.2 left it under TCG). */
    private static final Pattern BROKEN = Pattern.compile("Oops|BUG:|Kernel panic|is not a head|general protection");
    private TestHosts pool;

    @BeforeEach
    void lend() throws Exception { pool = POOL.lend(); }

    @AfterEach
    void giveBack() throws InterruptedException { POOL.giveBack(); }

    @AfterAll
    static void close() { POOL.close(); }

    @Test
    void aGuestOnTheCoordinatorsOwnDiskMovesToTheMembersSr() throws Exception {
        TestHost h0 = pool.host(0);
        TestHost h1 = pool.host(1);
        String sr0 = TestHostRecords.localSr(h0, h0);
        String sr1 = TestHostRecords.localSr(h0, h1);

        String vdi = (String) h0.call("VDI.create", SharedDatabaseTest.vdiArgs(SR.CLASS.ref(sr0), "counter disk"));
        String vm = startOn(h0, "moves with its disk", "flotilla.mode=counter flotilla.counter_ms=50", vdi);
        String uuid = (String) h0.call("VM.get_uuid", vm);
        Path serial0 = h0.stateDir().resolve("run").resolve(uuid).resolve("serial.log");
        Path serial1 = h1.stateDir().resolve("run").resolve(uuid).resolve("serial.log");
        awaitCounts(serial0, 5);

        // every disk must be mapped; host.migrate_receive asked of the coordinator runs on the member
        @SuppressWarnings("unchecked")
        var dest = (Map<String, String>) h0.call("host.migrate_receive", h1.hostRef(), TestHostRecords.managementNetwork(h0, h1), Map.of());
        assertEquals(h1.hostRef(), dest.get("host"));
        assertTrue(dest.get("xenops").startsWith("https://" + h1.address() + "/"), dest.toString());
        ApiError unmapped = assertThrows(ApiError.class, () -> h0.call("VM.migrate_send", vm, dest, true, Map.of(), Map.of(), Map.of()));
        assertEquals(List.of("VDI_NOT_IN_MAP", vdi), unmapped.description());
        assertEquals(h0.hostRef(), h0.call("VM.get_resident_on", vm));

        // its history on the coordinator (its RRD), once it holds a point, goes with it to the member
        PoolWaits.await(Duration.ofSeconds(30), "a point in the VM's history on the coordinator", () -> !knownRows(history(h0, uuid)).isEmpty());
        List<String> pastOn0 = knownRows(history(h0, uuid));

        var lastOn0 = new AtomicReference<>("");
        Thread watcher = Thread.ofVirtual().start(() -> CountingGuests.follow(serial0, lastOn0));
        var err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = new Xe(HostConnector.XML_RPC, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err))
                .run(List.of("-s", h0.address(), "-u", "root", "-pw", h0.password(), "vm-migrate", "uuid=" + uuid,
                        "host-uuid=" + h1.uuid(), "vdi:" + h0.call("VDI.get_uuid", vdi) + "=" + h0.call("SR.get_uuid", sr1)), Map.of(), null);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        watcher.interrupt();
        watcher.join();
        assertEquals(0, code, "xe vm-migrate: " + err);
        System.out.printf("xe vm-migrate with a disk between two daemons took %d ms%n", millis);

        assertEquals(h1.hostRef(), h0.call("VM.get_resident_on", vm));
        assertEquals("Running", h1.call("VM.get_power_state", vm));
        String moved = (String) h0.call("VBD.get_VDI", ((List<?>) h0.call("VM.get_VBDs", vm)).getFirst());
        assertNotEquals(vdi, moved);
        assertEquals(sr1, h0.call("VDI.get_SR", moved));
        assertFalse(((List<?>) h0.call("SR.get_VDIs", sr0)).contains(vdi), "the VDI left on the coordinator is gone");
        assertCountsOn(serial1, lastOn0.get());
        PoolWaits.await(Duration.ofSeconds(30), "the VM's history on the member", () -> knownRows(history(h1, uuid)).containsAll(pastOn0));

        h1.call("VM.hard_shutdown", vm);
        h0.call("VM.destroy", vm);
        h0.call("VDI.destroy", moved);
    }

    /**
     * A guest writing 64 KiB every 10 ms all over its disk (and syncing each write) has requests in flight at every
     * switch-over: it moves to the member's SR and back, and after each move writes on from where it was, neither
     * booted again nor broken (its kernel saying nothing but its writes).
     */
    @Test
    void aGuestWritingAllOverItsDiskWritesOnAfterEachMove() throws Exception {
        TestHost h0 = pool.host(0);
        TestHost h1 = pool.host(1);
        var vdiArgs = new LinkedHashMap<>(SharedDatabaseTest.vdiArgs(SR.CLASS.ref(TestHostRecords.localSr(h0, h0)), "written all over"));
        vdiArgs.put("virtual_size", 64L << 20);
        String vm = startOn(h0, "writes as it moves", "flotilla.mode=writer flotilla.writer_kib=64 flotilla.writer_ms=10",
                (String) h0.call("VDI.create", vdiArgs));
        String uuid = (String) h0.call("VM.get_uuid", vm);
        long last = awaitWrites(serial(h0, uuid), 0);
        for (TestHost[] move : new TestHost[][] {{h0, h1}, {h1, h0}}) {
            TestHost from = move[0];
            TestHost to = move[1];
            String disk = (String) h0.call("VBD.get_VDI", ((List<?>) h0.call("VM.get_VBDs", vm)).getFirst());
            @SuppressWarnings("unchecked")
            var dest = (Map<String, String>) from.call("host.migrate_receive", to.hostRef(), TestHostRecords.managementNetwork(from, to), Map.of());
            var before = new AtomicReference<>("");
            Thread watcher = Thread.ofVirtual().start(() -> CountingGuests.follow(serial(from, uuid), before));
            from.call("VM.migrate_send", vm, dest, true, Map.of(disk, TestHostRecords.localSr(from, to)), Map.of(), Map.of());
            watcher.interrupt();
            watcher.join();
            long wrote = lastWrite(before.get());
            assertTrue(wrote > last, "the guest wrote on " + from + " before it moved: " + wrote + " after " + last);
            assertEquals(to.hostRef(), h0.call("VM.get_resident_on", vm));
            last = awaitWrites(serial(to, uuid), wrote);
        }
        assertEquals("Running", h0.call("VM.get_power_state", vm));
    }

    /** A VM of the test guest in {@code mode} (its kernel arguments) with {@code vdi} as its disk, started on {@code h}. */
    private static String startOn(TestHost h, String name, String mode, String vdi) {
        String template = (String) ((List<?>) h.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
        String vm = (String) h.call("VM.clone", template, name);
        h.call("VM.set_is_a_template", vm, false);
        h.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 " + mode);
        h.call("VBD.create", new LinkedHashMap<String, Object>(Map.of("VM", vm, "VDI", vdi, "userdevice", "0", "bootable", true,
                "mode", "RW", "type", "Disk")));
        h.call("VM.start_on", vm, h.hostRef(), false, false);
        return vm;
    }

    private static Path serial(TestHost h, String uuid) { return h.stateDir().resolve("run").resolve(uuid).resolve("serial.log"); }

    /**
     * Waits until the guest at {@code serial} has written 20 more blocks than {@code after} (its numbering going on from
     * there, the guest not booted again), and returns its last write; fails at once on a word of a broken kernel.
     */
    private static long awaitWrites(Path serial, long after) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30L * org.flotilla.TestTimeouts.LOADED).toNanos();
        while (true) {
            String said = Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
            assertFalse(BROKEN.matcher(said).find(), "the guest broke after it moved:\n" + said);
            long first = firstWrite(said);
            if (after > 0 && first >= 0) {
                // the source's log was last read a moment before its last writes: a few of them may lie between
                assertFalse(said.contains("FLOTILLA-GUEST up"), "the guest booted again where it went:\n" + said);
                assertTrue(first > after && first <= after + 100, "wrote up to " + after + " or a little further, went on from " + first);
            }
            long last = lastWrite(said);
            if (last >= after + 20) return last;
            if (System.nanoTime() > deadline) throw new AssertionError("the guest wrote no further than " + last + " (after " + after + ") at " + serial + ":\n" + said);
            Thread.sleep(50);
        }
    }

    private static long firstWrite(String said) { return CountingGuests.firstNumber(WROTE, said); }

    private static long lastWrite(String said) { return CountingGuests.lastNumber(WROTE, said); }

    private static final Pattern WROTE = Pattern.compile("WROTE (\\d+)");

    /** The guest counts on at {@code serial}, not booted again, from just after the last count it made before ({@code before}). */
    static void assertCountsOn(Path serial, String before) throws Exception {
        awaitCounts(serial, 3);
        String after = Files.readString(serial);
        assertFalse(after.contains("FLOTILLA-GUEST up"), "the guest booted again where it went:\n" + after);
        long last = CountingGuests.lastCount(before);
        long first = CountingGuests.firstCount(after);
        assertTrue(last > 0 && first > last && first <= last + 3, "counted to " + last + ", went on from " + first);
    }

    /** The VM's RRD as host {@code h} keeps it ({@code /vm_rrd}), or "" if it keeps none. */
    static String history(TestHost h, String uuid) {
        try {
            var reply = org.flotilla.runtime.TrustingTls.httpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("https://" + h.address() + "/vm_rrd?session_id=" + h.session() + "&uuid=" + uuid)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return reply.statusCode() == 200 ? reply.body() : "";
        } catch (Exception e) {
            throw new IllegalStateException("GET /vm_rrd of " + h + ": " + e, e);
        }
    }

    /** The rows of an RRD's finest archive (its first) that hold a known value: what only that VM's sampling wrote. */
    static List<String> knownRows(String rrd) {
        int from = rrd.indexOf("<database>");
        if (from < 0) return List.of();
        return Pattern.compile("<row>.*?</row>").matcher(rrd.substring(from, rrd.indexOf("</database>", from))).results()
                .map(java.util.regex.MatchResult::group).filter(r -> r.matches(".*<v>-?[1-9].*")).toList();
    }

    static void awaitCounts(Path serial, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30L * org.flotilla.TestTimeouts.LOADED).toNanos();
        while (!Files.exists(serial) || CountingGuests.occurrences(Files.readString(serial)) < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("fewer than " + n + " counts in " + serial);
            Thread.sleep(50);
        }
    }
}
