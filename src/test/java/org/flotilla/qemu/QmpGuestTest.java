package org.flotilla.qemu;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real guests under TCG driven through QMP. */
@Slow
class QmpGuestTest {
    private static final Duration BOOT = Duration.ofSeconds(30 * LOADED);
    private static final String UP = "FLOTILLA-GUEST up";
    @RegisterExtension final TestQemus qemus = new TestQemus();

    @BeforeAll
    static void build() throws Exception {
        TestGuest.ensureBuilt();
    }

    private Path dir() throws IOException { return qemus.dir(); }

    private QemuProcess start(List<String> argv) throws IOException {
        long t0 = System.nanoTime();
        QemuProcess q = qemus.start(argv);
        System.out.printf("QemuProcess.start -> QMP ready in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        return q;
    }

    @Test
    void bootsAndPowersOffOnAcpiPowerButton() throws Exception {
        long t0 = System.nanoTime();
        QemuProcess vm = start(TestGuest.kernelArgv("idle", ""));
        long qmpMs = (System.nanoTime() - t0) / 1_000_000;
        Qmp qmp = vm.qmp();
        assertTrue(qmp.greeting().path("QMP").path("version").path("qemu").has("major"), qmp.greeting().toString());
        String up = vm.awaitSerial(UP, BOOT);
        long upMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("QMP after %d ms, guest up after %d ms: %s%n", qmpMs, upMs, up);

        JsonNode status = qmp.execute("query-status");
        assertEquals("running", status.path("status").asText(), status.toString());
        assertTrue(status.path("running").asBoolean());

        List<QmpEvent> seen = new CopyOnWriteArrayList<>();
        qmp.addListener(seen::add);
        long mark = qmp.eventMark();
        long t1 = System.nanoTime();
        qmp.execute("system_powerdown");
        QmpEvent shutdown = qmp.awaitEvent(mark, "SHUTDOWN", e -> true, Duration.ofSeconds(10));
        assertTrue(shutdown.data().path("guest").asBoolean(), "shutdown initiated by the guest: " + shutdown);
        assertEquals("guest-shutdown", shutdown.dataText("reason"));
        assertEquals(0, vm.waitFor(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("QEMU did not exit")));
        System.out.printf("powered off %d ms after system_powerdown%n", (System.nanoTime() - t1) / 1_000_000);
        vm.awaitSerial("FLOTILLA-GUEST power button: powering off", Duration.ofSeconds(1));
        assertTrue(seen.stream().anyMatch(e -> e.name().equals("POWERDOWN")), "listener saw POWERDOWN: " + seen);
        assertTrue(seen.stream().anyMatch(e -> e.name().equals("SHUTDOWN")), "listener saw SHUTDOWN: " + seen);
        // QEMU is gone: the connection is closed and calls fail at once
        QmpException e = assertThrows(QmpException.class, () -> qmp.execute("query-status"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void stopContAndBalloon() throws Exception {
        QemuProcess vm = start(TestGuest.kernelArgv("idle", ""));
        Qmp qmp = vm.qmp();
        vm.awaitSerial(UP, BOOT);

        long mark = qmp.eventMark();
        qmp.execute("stop");
        qmp.awaitEvent(mark, "STOP", e -> true, Duration.ofSeconds(5));
        JsonNode st = qmp.execute("query-status");
        assertEquals("paused", st.path("status").asText(), st.toString());
        assertFalse(st.path("running").asBoolean());

        mark = qmp.eventMark();
        qmp.execute("cont");
        qmp.awaitEvent(mark, "RESUME", e -> true, Duration.ofSeconds(5));
        assertEquals("running", qmp.execute("query-status").path("status").asText());

        long mib = 1L << 20;
        assertEquals(128 * mib, qmp.execute("query-balloon").path("actual").asLong());
        // the Debian kernel leaves ~50 MiB of a 128 MiB guest free: take 32 MiB back
        long target = 96 * mib;
        mark = qmp.eventMark();
        qmp.execute("balloon", Map.of("value", target));
        QmpEvent change = qmp.awaitEvent(mark, "BALLOON_CHANGE", e -> e.data().path("actual").asLong() <= target,
                Duration.ofSeconds(20 * LOADED));
        assertEquals(target, change.data().path("actual").asLong(), change.toString());
        assertEquals(target, qmp.execute("query-balloon").path("actual").asLong());

        // errors keep QEMU's class and description
        QmpErrorException err = assertThrows(QmpErrorException.class, () -> qmp.execute("no-such-command"));
        assertEquals("CommandNotFound", err.errorClass());
        assertTrue(err.desc().contains("no-such-command"), err.desc());
        QmpErrorException bad = assertThrows(QmpErrorException.class,
                () -> qmp.execute("balloon", Map.of("value", "lots")));
        assertEquals("GenericError", bad.errorClass());
    }

    @Test
    void concurrentCommandsFromManyThreadsAreMatchedById() throws Exception {
        QemuProcess vm = start(TestGuest.kernelArgv("idle", ""));
        Qmp qmp = vm.qmp();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        AtomicInteger ok = new AtomicInteger();
        for (int t = 0; t < 16; t++) {
            int n = t;
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        // a distinct command per thread: a mismatched answer would have the wrong shape
                        if (n % 2 == 0) {
                            assertTrue(qmp.execute("query-status").has("status"));
                        } else {
                            JsonNode r = qmp.execute("qom-get", Map.of("path", "/machine", "property", "type"));
                            assertTrue(r.asText().startsWith("pc-i440fx-"), r.toString());
                        }
                        ok.incrementAndGet();
                    }
                } catch (QmpException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertEquals(320, ok.get());
    }

    @Test
    void counterModeLeavesTheLastPrintedCountOnAQcow2Disk() throws Exception {
        Path d = dir();
        Path disk = d.resolve("counter.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "16M");
        QemuProcess vm = start(TestGuest.kernelArgv("counter", "flotilla.counter_ms=50",
                "-drive", "file=" + disk + ",format=qcow2,if=none,id=disk0,cache=writeback",
                "-device", "virtio-blk-pci,drive=disk0"));
        vm.awaitSerial(UP, BOOT);
        vm.awaitSerial("^COUNT 5$", Duration.ofSeconds(20 * LOADED));
        long mark = vm.qmp().eventMark();
        vm.qmp().execute("system_powerdown");
        vm.qmp().awaitEvent(mark, "SHUTDOWN", e -> true, Duration.ofSeconds(10));
        assertEquals(0, vm.waitFor(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("QEMU did not exit")));

        List<String> lines = vm.serialLines();
        long lastPrinted = -1;
        long previous = -1;
        for (String l : lines) {
            Matcher m = Pattern.compile("^COUNT (\\d+)$").matcher(l);
            if (m.find()) {
                long v = Long.parseLong(m.group(1));
                assertEquals(previous + 1, v, "counts increase by one: " + lines);
                previous = v;
                lastPrinted = v;
            }
        }
        assertTrue(lastPrinted >= 5, "counted: " + lines);
        assertTrue(lines.contains("COUNTER stopped at " + lastPrinted), "counter stopped cleanly: " + lines);

        Path raw = d.resolve("counter.raw");
        run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", disk.toString(), raw.toString());
        byte[] bytes = Files.readAllBytes(raw);
        String sector = new String(bytes, 4096, 512, StandardCharsets.US_ASCII);
        assertEquals("FLOTILLA-COUNTER " + lastPrinted + "\n", sector.substring(0, sector.indexOf('\0')));
    }

    @Test
    void sigkilledQemuMakesPendingAndNextCallsFailPromptly() throws Exception {
        QemuProcess vm = start(TestGuest.kernelArgv("idle", ""));
        Qmp qmp = vm.qmp();
        assertTrue(qmp.execute("query-status").has("status"));
        // a stream of calls in flight from another thread while QEMU dies
        CompletableFuture<Throwable> hammer = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    qmp.execute("query-status");
                }
            } catch (Throwable t) {
                hammer.complete(t);
            }
        });
        // an event wait that can only end by the connection closing
        CompletableFuture<Throwable> waiter = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                qmp.awaitEvent("BLOCK_JOB_READY", e -> true, Duration.ofSeconds(60));
                waiter.complete(null);
            } catch (Throwable t) {
                waiter.complete(t);
            }
        });
        Thread.sleep(200);
        long t0 = System.nanoTime();
        Runtime.getRuntime().exec(new String[] {"kill", "-KILL", String.valueOf(vm.pid())}).waitFor();
        Throwable inFlight = hammer.get(2, TimeUnit.SECONDS);
        long failMs = (System.nanoTime() - t0) / 1_000_000;
        assertInstanceOf(QmpException.class, inFlight);
        assertTrue(inFlight.getMessage().contains("closed by QEMU"), inFlight.getMessage());
        assertInstanceOf(QmpException.class, waiter.get(2, TimeUnit.SECONDS));
        long t1 = System.nanoTime();
        QmpException next = assertThrows(QmpException.class, () -> qmp.execute("query-status"));
        assertTrue((System.nanoTime() - t1) < 100_000_000L, "the next call fails at once");
        assertTrue(next.getMessage().contains("QEMU exited or was killed"), next.getMessage());
        assertFalse(qmp.isOpen());
        vm.waitFor(Duration.ofSeconds(5));
        assertFalse(vm.isAlive());
        System.out.printf("pending call failed %d ms after SIGKILL: %s%n", failMs, inFlight.getMessage());
    }

    @Test
    void connectRetriesUntilTheSocketExistsAndGivesUpWithAClearError() throws Exception {
        Path d = dir();
        Path sock = d.resolve("late.sock");
        QmpException e = assertThrows(QmpException.class, () -> Qmp.connect(sock, Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("did not accept a connection"), e.getMessage());
        // QEMU started a little after the client began to connect
        CompletableFuture<Qmp> client = CompletableFuture.supplyAsync(() -> {
            try {
                return Qmp.connect(sock, Duration.ofSeconds(10));
            } catch (IOException ex) {
                throw new RuntimeException(ex);
            }
        });
        Thread.sleep(300);
        List<String> argv = TestGuest.baseArgv(64);
        argv.addAll(List.of("-S", "-qmp", "unix:" + sock + ",server=on,wait=off"));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(d.resolve("q.log").toFile()).start();
        qemus.closeAfterwards(() -> {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        });
        try (Qmp qmp = client.get(10, TimeUnit.SECONDS)) {
            assertEquals("prelaunch", qmp.execute("query-status").path("status").asText());
        } catch (ExecutionException ex) {
            throw new AssertionError(ex.getCause());
        }
        assertTrue(p.isAlive(), "closing the client leaves QEMU running");
    }

    @Test
    void biosBootsTheDiskImage() throws Exception {
        Path disk = TestGuest.DISK;
        assertTrue(Files.isRegularFile(disk), "build-guest.sh made " + disk);
        List<String> argv = TestGuest.baseArgv(128);
        argv.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=none,id=disk0,snapshot=on",
                "-device", "virtio-blk-pci,drive=disk0,bootindex=0"));
        long t0 = System.nanoTime();
        QemuProcess vm = start(argv);
        String up = vm.awaitSerial(UP, BOOT);
        System.out.printf("firmware boot: guest up after %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, up);
        long mark = vm.qmp().eventMark();
        vm.qmp().execute("system_powerdown");
        vm.qmp().awaitEvent(mark, "SHUTDOWN", e -> true, Duration.ofSeconds(10));
        assertEquals(0, vm.waitFor(Duration.ofSeconds(10)).orElseThrow());
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
