package org.flotilla.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Flotilla's test guest (scripts/build-guest.sh, see scripts/guest/README.md) for the tests of every
 * package: builds it if needed (the script is a no-op when up to date) and makes sandboxed TCG command
 * lines for it. Never skips: if the guest cannot be built the test fails with the script's output.
 */
public final class TestGuest {
    public static final Path REPO = findRepo();
    public static final Path DIR = REPO.resolve("build/guest");
    public static final Path VMLINUX = DIR.resolve("vmlinux");
    public static final Path INITRD = DIR.resolve("initramfs.gz");
    public static final Path DISK = DIR.resolve("disk.img");
    private static boolean built;

    private TestGuest() {}

    public static synchronized void ensureBuilt() throws IOException, InterruptedException {
        if (built) {
            return;
        }
        Path script = REPO.resolve("scripts/build-guest.sh");
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0 || !Files.isRegularFile(VMLINUX) || !Files.isRegularFile(INITRD)) {
            throw new IllegalStateException("building the test guest failed (" + script + " exit " + rc + "):\n" + out);
        }
        built = true;
    }

    /**
     * The fields of a VM that boots the test guest's kernel straight away with {@code PV_args}: one vCPU and
     * {@code memMiB} of memory that does not move, destroyed at shutdown and restarted at reboot.
     */
    public static LinkedHashMap<String, Object> vmFields(String name, long memMiB, String pvArgs) {
        long mem = memMiB << 20;
        var f = new LinkedHashMap<String, Object>();
        f.put("name_label", name);
        f.put("memory_static_max", mem);
        f.put("memory_static_min", mem);
        f.put("memory_dynamic_max", mem);
        f.put("memory_dynamic_min", mem);
        f.put("VCPUs_max", 1L);
        f.put("VCPUs_at_startup", 1L);
        f.put("actions_after_shutdown", "destroy");
        f.put("actions_after_reboot", "restart");
        f.put("actions_after_crash", "destroy");
        f.put("PV_kernel", VMLINUX.toString());
        f.put("PV_ramdisk", INITRD.toString());
        f.put("PV_args", pvArgs);
        f.put("HVM_boot_params", Map.of());
        f.put("platform", Map.of());
        f.put("other_config", Map.of());
        return f;
    }

    /** The sandboxed TCG base command line used by every test QEMU. */
    public static List<String> baseArgv(int memMiB) {
        return new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-no-user-config", "-accel", "tcg",
                "-display", "none", "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
                "-m", String.valueOf(memMiB), "-no-reboot"));
    }

    /** Direct kernel boot of a 128 MiB test guest in {@code mode}, with no devices: the caller adds those it needs. */
    public static List<String> kernelBootArgv(String mode, String extraAppend) throws IOException, InterruptedException {
        ensureBuilt();
        List<String> a = baseArgv(128);
        String cmdline = Files.readString(DIR.resolve("cmdline")).strip() + " flotilla.mode=" + mode
                + (extraAppend.isEmpty() ? "" : " " + extraAppend);
        a.addAll(List.of("-kernel", VMLINUX.toString(), "-initrd", INITRD.toString(), "-append", cmdline));
        return a;
    }

    /** Direct kernel boot of the test guest in {@code mode}, with a virtio balloon; extra args appended. */
    public static List<String> kernelArgv(String mode, String extraAppend, String... extraArgs) throws IOException, InterruptedException {
        List<String> a = kernelBootArgv(mode, extraAppend);
        a.addAll(List.of("-device", "virtio-balloon-pci,id=balloon0"));
        a.addAll(List.of(extraArgs));
        return a;
    }

    public static Path tempDir() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "flq");
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve("scripts/build-guest.sh")) && Files.isRegularFile(q.resolve("pom.xml"))) {
                return q;
            }
        }
        throw new IllegalStateException("cannot find the repository (scripts/build-guest.sh) above " + p);
    }

    /**
     * The counts a guest in counter mode has printed on its serial log, once there are at least {@code atLeast};
     * fails after 30 s (scaled for a loaded machine) with what the log holds.
     */
    public static List<Long> awaitCounts(Path serial, int atLeast) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30L * org.flotilla.TestTimeouts.LOADED).toNanos();
        var count = java.util.regex.Pattern.compile("COUNT (\\d+)\\r?\\n");
        while (true) {
            String text = Files.exists(serial) ? Files.readString(serial, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
            var counts = new ArrayList<Long>();
            var m = count.matcher(text);
            while (m.find()) counts.add(Long.parseLong(m.group(1)));
            if (counts.size() >= atLeast) return counts;
            if (System.nanoTime() > deadline) throw new AssertionError("the guest did not count:\n" + text);
            Thread.sleep(50);
        }
    }
}
