package org.flotilla.host.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.qemu.Qmp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VM.start latency against raw QEMU with the same command line (exec to QMP "running"), and to the guest's up line.
 * Not part of the suite (no *Test name): {@code mvn test -Dtest=StartLatencyBench}, output in the surefire report.
 */
class StartLatencyBench {
    @TempDir Path dir;

    @Test
    void measure() throws Exception {
        try (VmHost h = new VmHost(dir)) {
            String vm = h.newVm("lat", "idle");
            var api = new ArrayList<Long>();
            var up = new ArrayList<Long>();
            var raw = new ArrayList<Long>();
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                h.call("VM.start", vm, false, false);
                api.add((System.nanoTime() - t0) / 1000);
                if (i < 3) { h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30)); up.add((System.nanoTime() - t0) / 1_000_000); }
                List<String> argv = Files.readAllLines(h.runDir(vm).resolve("argv"));
                h.call("VM.hard_shutdown", vm);
                // raw: the same argv (as root, no setsid/setpriv), exec -> QMP "running"
                Path rd = dir.resolve("raw" + i);
                Files.createDirectories(rd);
                var a = new ArrayList<String>();
                for (String s : argv) a.add(s.replace(h.runDir(vm).toString(), rd.toString()));
                long t1 = System.nanoTime();
                Process p = new ProcessBuilder(a).redirectErrorStream(true).redirectOutput(rd.resolve("log").toFile()).start();
                try (Qmp q = Qmp.connect(rd.resolve("qmp.sock"), Duration.ofSeconds(10), () -> !p.isAlive())) {
                    q.execute("cont");
                    q.execute("query-status");
                    raw.add((System.nanoTime() - t1) / 1000);
                }
                p.destroyForcibly();
                p.waitFor();
            }
            api.sort(null); raw.sort(null); up.sort(null);
            System.out.println("LAT api(us)=" + api + " raw(us)=" + raw + " up(ms)=" + up + " median ratio=" + (double) api.get(3) / raw.get(3));
        }
    }
}
