package org.flotilla.qemu;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test guest's other modes (net, reboot, dirty) and QemuProcess's start-up errors. */
@Slow
class GuestModesTest {
    private static final Duration BOOT = Duration.ofSeconds(30 * LOADED);
    @RegisterExtension final TestQemus qemus = new TestQemus();

    @BeforeAll
    static void build() throws Exception {
        TestGuest.ensureBuilt();
    }

    private Path dir() throws IOException { return qemus.dir(); }

    private QemuProcess start(List<String> argv) throws IOException { return qemus.start(argv); }

    @Test
    void twoNetGuestsPingEachOtherOverALoopbackSocketNetdev() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        QemuProcess a = start(TestGuest.kernelArgv("net", "flotilla.ip=10.77.0.1/24",
                "-netdev", "socket,id=net0,listen=127.0.0.1:" + port,
                "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:77:00:01"));
        QemuProcess b = start(TestGuest.kernelArgv("net", "flotilla.ip=10.77.0.2/24 flotilla.ping=10.77.0.1",
                "-netdev", "socket,id=net0,connect=127.0.0.1:" + port,
                "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:77:00:02"));
        a.awaitSerial("FLOTILLA-GUEST net eth0 10.77.0.1/24 mac 52:54:00:77:00:01", BOOT);
        String result = b.awaitSerial("FLOTILLA-GUEST ping 10.77.0.1 ", BOOT);
        assertEquals("FLOTILLA-GUEST ping 10.77.0.1 ok", result);
    }

    @Test
    void rebootModeRebootsOnceWithADisk() throws Exception {
        Path d = dir();
        Path disk = d.resolve("reboot.qcow2");
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "8M").inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "qemu-img create");
        List<String> argv = TestGuest.kernelArgv("reboot", "",
                "-drive", "file=" + disk + ",format=qcow2,if=none,id=disk0", "-device", "virtio-blk-pci,drive=disk0");
        argv.remove("-no-reboot"); // let the guest reset instead of QEMU exiting
        QemuProcess vm = start(argv);
        long mark = vm.qmp().eventMark();
        vm.awaitSerial("FLOTILLA-GUEST rebooting", BOOT);
        QmpEvent reset = vm.qmp().awaitEvent(mark, "RESET", e -> true, Duration.ofSeconds(10));
        assertEquals("guest-reset", reset.dataText("reason"));
        int from = vm.serialLines().indexOf("FLOTILLA-GUEST rebooting") + 1;
        vm.awaitSerial(from, l -> l.startsWith("FLOTILLA-GUEST up"), BOOT, "second boot");
        assertEquals("FLOTILLA-GUEST rebooted already",
                vm.awaitSerial(from, l -> l.startsWith("FLOTILLA-GUEST reboot"), BOOT, "reboot marker"));
        assertEquals("running", vm.qmp().execute("query-status").path("status").asText());
    }

    @Test
    void dirtyModeKeepsDirtyingMemory() throws Exception {
        QemuProcess vm = start(TestGuest.kernelArgv("dirty", "flotilla.dirty_mib=16"));
        vm.awaitSerial("^DIRTY start 16 MiB$", BOOT);
        vm.awaitSerial("^DIRTY pass 256$", Duration.ofSeconds(20 * LOADED));
        assertEquals("running", vm.qmp().execute("query-status").path("status").asText());
        vm.stop(Duration.ofSeconds(5)); // QMP quit
        assertEquals(0, vm.waitFor(Duration.ofSeconds(1)).orElseThrow(() -> new AssertionError("QEMU still running")));
        assertTrue(!java.nio.file.Files.exists(vm.qmpSocket()), "socket removed");
    }

    @Test
    void qemuThatCannotStartReportsItsError() throws Exception {
        List<String> argv = TestGuest.baseArgv(128);
        argv.addAll(List.of("-device", "no-such-device"));
        QmpException e = assertThrows(QmpException.class, () -> start(argv));
        assertTrue(e.getMessage().contains("no-such-device") && e.getMessage().contains("QEMU exited with 1"), e.getMessage());
    }
}
