package org.flotilla.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.qemu.TestGuest;
import org.flotilla.server.ApiServerConfig;

/**
 * VM.clone, VM.snapshot and VM.checkpoint over XenAPI (HTTPS, JSON-RPC) of two VMs alike but for their disk: a sparse
 * qcow2 of {@code small-gib} (1) and one of {@code large-gib} (20) GiB, each with {@code data-mib} (64) MiB written
 * across it (1 MiB every so often, by qemu-io) so that the image's table covers the whole disk. Clone and snapshot of
 * the halted VMs, then snapshot (crash-consistent, the VM paused for it) and checkpoint (disks and the memory of the
 * idle {@code memory-mib} (128) MiB guest) of the same VMs running. The sizes alternate within each of {@code runs}
 * (5) rounds; each copy made is uninstalled (its disks destroyed) before the next, untimed. Medians (min-max) and the
 * large disk's median over the small one's: a time that does not grow with the disk is a ratio near 1.
 */
public final class SnapshotBench {
    private static final String UP = "FLOTILLA-GUEST up";
    private static final Duration BOOT = Duration.ofSeconds(90);

    private final Map<String, String> opts;
    private final Path state;
    private Daemon daemon;
    private Rpc rpc;
    private String session;

    private SnapshotBench(Map<String, String> opts, Path state) {
        this.opts = opts;
        this.state = state;
    }

    public static void main(String[] args) throws Exception {
        var opts = BenchArgs.parse(args);
        if (!Files.isRegularFile(TestGuest.DIR.resolve("vmlinux"))) throw new IllegalStateException("no test guest in " + TestGuest.DIR + ": run scripts/build-guest.sh");
        Path state = opts.containsKey("state") ? Path.of(opts.get("state")) : Files.createTempDirectory("flotilla-snapshot-bench");
        var bench = new SnapshotBench(opts, state);
        CleanupHook.around("snapshot-bench-cleanup", bench::run, bench::cleanup);
    }

    private void run() throws Exception {
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        long dataMib = Long.parseLong(opts.getOrDefault("data-mib", "64"));
        long memoryMib = Long.parseLong(opts.getOrDefault("memory-mib", "128"));
        List<Long> gib = List.of(Long.parseLong(opts.getOrDefault("small-gib", "1")), Long.parseLong(opts.getOrDefault("large-gib", "20")));
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        org.flotilla.TestDomainIds.seed(state);
        daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1");
        rpc = RemoteRpc.of("127.0.0.1", daemon.httpsPort(), true);
        session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));

        var vms = new LinkedHashMap<Long, String>();
        for (long g : gib) vms.put(g, newVm(g, dataMib, memoryMib));
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (long g : gib) {
                timed(ms, "VM.clone, halted", g, () -> call("VM.clone", vms.get(g), "bench clone"));
                timed(ms, "VM.snapshot, halted", g, () -> call("VM.snapshot", vms.get(g), "bench snapshot"));
            }
        }
        for (long g : gib) {
            call("VM.start", vms.get(g), false, false);
            awaitUp(vms.get(g));
        }
        for (int i = 0; i < runs; i++) {
            for (long g : gib) {
                timed(ms, "VM.snapshot, running", g, () -> call("VM.snapshot", vms.get(g), "bench snapshot"));
                timed(ms, "VM.checkpoint, running", g, () -> call("VM.checkpoint", vms.get(g), "bench checkpoint"));
            }
        }
        for (long g : gib) call("VM.hard_shutdown", vms.get(g));

        System.out.println(Stats.machine());
        System.out.printf("disks of %d and %d GiB, %d MiB written in each; guest of %d MiB; %d runs; median ms (min-max)%n",
                gib.get(0), gib.get(1), dataMib, memoryMib, runs);
        for (String op : List.of("VM.clone, halted", "VM.snapshot, halted", "VM.snapshot, running", "VM.checkpoint, running")) {
            List<Double> small = ms.get(op + " " + gib.get(0));
            List<Double> large = ms.get(op + " " + gib.get(1));
            System.out.printf("%-24s %3d GiB %6s (%s-%s)   %3d GiB %6s (%s-%s)   ratio %s%n", op,
                    gib.get(0), Stats.whole(Stats.median(small)), Stats.whole(Stats.percentile(small, 0)), Stats.whole(Stats.percentile(small, 100)),
                    gib.get(1), Stats.whole(Stats.median(large)), Stats.whole(Stats.percentile(large, 0)), Stats.whole(Stats.percentile(large, 100)),
                    Stats.ratio(Stats.median(large), Stats.median(small)));
        }
    }

    private interface Copy {
        Object make();
    }

    /** Times {@code copy}, then uninstalls what it made, untimed. */
    private void timed(Map<String, List<Double>> ms, String op, long gib, Copy copy) {
        long t0 = System.nanoTime();
        String made = (String) copy.make();
        ms.computeIfAbsent(op + " " + gib, k -> new ArrayList<>()).add(Stats.msSince(t0));
        uninstall(made);
    }

    /** As xe vm-uninstall / snapshot-uninstall: its memory dropped, its disks and itself destroyed. */
    private void uninstall(String vm) {
        if (!"Halted".equals(call("VM.get_power_state", vm))) call("VM.hard_shutdown", vm);
        var vdis = ((List<?>) call("VM.get_VBDs", vm)).stream().map(vbd -> (String) call("VBD.get_VDI", vbd)).filter(v -> !"OpaqueRef:NULL".equals(v)).toList();
        call("VM.destroy", vm);
        vdis.forEach(vdi -> call("VDI.destroy", vdi));
    }

    /** A VM of the test guest with a sparse disk of {@code gib} GiB, {@code dataMib} 1 MiB pieces spread across it written. */
    private String newVm(long gib, long dataMib, long memoryMib) throws Exception {
        var f = TestGuest.vmFields("snapshot bench " + gib + " GiB", memoryMib, "console=ttyS0 quiet panic=-1 flotilla.mode=idle");
        f.put("PV_kernel", TestGuest.DIR.resolve("vmlinux").toString());
        f.put("PV_ramdisk", TestGuest.DIR.resolve("initramfs.gz").toString());
        String vm = (String) call("VM.create", f);
        String pool = (String) ((List<?>) call("pool.get_all")).getFirst();
        String sr = (String) call("pool.get_default_SR", pool);
        long size = gib << 30;
        String vdi = (String) call("VDI.create", new LinkedHashMap<String, Object>(Map.of("name_label", "snapshot bench " + gib + " GiB", "SR", sr,
                "virtual_size", Long.toString(size), "type", "user", "sharable", false, "read_only", false, "other_config", Map.of())));
        Path image = daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image();
        var io = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        long step = size / dataMib;
        for (long i = 0; i < dataMib; i++) io.addAll(List.of("-c", "write -q -P 0x5a " + i * step + " 1M"));
        io.add(image.toString());
        Process p = new ProcessBuilder(io).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("qemu-io: " + out);
        call("VBD.create", new LinkedHashMap<String, Object>(Map.of("VM", vm, "VDI", vdi, "userdevice", "0", "bootable", true,
                "mode", "RW", "type", "Disk", "empty", false, "other_config", Map.of())));
        return vm;
    }

    private void awaitUp(String vm) throws InterruptedException {
        Path serial = state.resolve("run").resolve((String) call("VM.get_uuid", vm)).resolve("serial.log");
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (true) {
            try {
                if (Files.exists(serial) && Files.readString(serial).contains(UP)) return;
            } catch (java.io.IOException e) {
                // not there yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("no '" + UP + "' on " + serial + " within " + BOOT);
            Thread.sleep(20);
        }
    }

    private Object call(String method, Object... params) {
        var args = new ArrayList<Object>();
        args.add(session);
        args.addAll(Arrays.asList(params));
        return rpc.call(method, args);
    }

    /** Stops the VMs and the daemon and removes the state. Idempotent. */
    private synchronized void cleanup() {
        if (daemon != null) {
            for (Object vm : (List<?>) call("VM.get_all")) {
                try {
                    if ("Running".equals(call("VM.get_power_state", vm)) || "Paused".equals(call("VM.get_power_state", vm))) call("VM.hard_shutdown", vm);
                } catch (RuntimeException e) {
                    // stopped meanwhile
                }
            }
            try {
                // what the API could not stop: by pid, the QEMUs this daemon started
                daemon.node().vmRuntime().pids().values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            } catch (RuntimeException e) {
                System.err.println("stopping the VMs: " + e);
            }
            try {
                daemon.close();
            } catch (Exception e) {
                System.err.println("stopping the daemon: " + e);
            }
            daemon = null;
        }
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("removing " + state + ": " + e);
        }
    }
}
