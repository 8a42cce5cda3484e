package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.flotilla.Slow;
import org.flotilla.jail.Cgroups;
import org.flotilla.jail.JailIds;
import org.flotilla.qemu.TestGuest;
import org.flotilla.model.xenapi.VDI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * One VM, one jail, and nothing host-wide changed: QEMU gets its kernel, disks, ISO and taps from the daemon
 * even when they sit in a directory only root may enter, with /dev/net/tun left root's; two VMs' QEMUs cannot
 * reach each other's files, sockets or firmware store, see only their own run directory, and carry nothing
 * of the daemon's environment; VMs started at once on a new host all run, and no account is made for them.
 */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmJailTest {
    private static final Duration BOOT = Duration.ofSeconds(30 * LOADED);

    @TempDir Path dir;
    VmHost h;
    String bridge;

    @BeforeEach
    void up() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        h = new VmHost(dir.resolve("state"));
        bridge = "fljl" + Long.toHexString(System.nanoTime() & 0xfffffL);
    }

    @AfterEach
    void down() throws Exception {
        h.close();
        if (Files.exists(Path.of("/sys/class/net", bridge))) new ProcessBuilder("ip", "link", "del", "dev", bridge).start().waitFor();
    }

    @Test
    void aVmWhoseFilesOnlyRootMayReachStartsAndNothingOutsideTheStateDirectoryChanges() throws Exception {
        // everything the VM uses lies under a directory only root may enter, as a clone under /root does
        Path priv = Files.createDirectory(dir.resolve("private"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path kernels = Files.createDirectory(priv.resolve("kernels"));
        Files.copy(TestGuest.VMLINUX, kernels.resolve("vmlinux"));
        Files.copy(TestGuest.INITRD, kernels.resolve("initrd"));
        Files.setPosixFilePermissions(kernels.resolve("initrd"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(h.state.resolve("kernels"), kernels);
        Path isoDir = Files.createDirectory(priv.resolve("iso"));
        byte[] cd = new byte[1 << 20];
        byte[] cdMark = "FLOTILLA-ISO-MARK".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(cdMark, 0, cd, 0, cdMark.length);
        Files.write(isoDir.resolve("cd.iso"), cd);
        Files.setPosixFilePermissions(isoDir.resolve("cd.iso"), PosixFilePermissions.fromString("rw-------"));

        String host = h.node.hostRef();
        String sr = (String) h.call("SR.create", host, Map.of("location", priv.resolve("sr").toString()), 0L, "private", "", "file", "user",
                false, Map.of());
        String isoSr = (String) h.call("SR.create", host, Map.of("location", isoDir.toString()), 0L, "private isos", "", "iso", "iso",
                false, Map.of());
        h.call("SR.scan", isoSr);
        String iso = ((List<?>) h.call("VDI.get_by_name_label", "cd.iso")).getFirst().toString();
        assertEquals(isoSr, h.node.db().get("VDI", iso).get("SR"));
        String vdi = newVdi(sr);
        Path image = h.node.storage().attachment(VDI.CLASS.ref(vdi)).image();
        Path raw = dir.resolve("disk.raw");
        byte[] disk = new byte[1 << 20];
        byte[] diskMark = "FLOTILLA-DISK-MARK".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(diskMark, 0, disk, 0, diskMark.length);
        Files.write(raw, disk);
        assertEquals(0, new ProcessBuilder("qemu-img", "convert", "-n", "-f", "raw", "-O", "qcow2", raw.toString(), image.toString())
                .inheritIO().start().waitFor());

        Map<Path, String> before = permissions(priv);
        String tun = attributes(Path.of("/dev/net/tun"));
        String passwd = Files.readString(Path.of("/etc/passwd"));

        String vm = h.newVm("private", "net", 128, f -> {
            f.put("PV_kernel", h.state.resolve("kernels/vmlinux").toString());
            f.put("PV_ramdisk", h.state.resolve("kernels/initrd").toString());
            f.put("PV_args", f.get("PV_args") + " flotilla.ip=10.233.0.1/24");
        });
        h.newVbd(vm, vdi, "0", "Disk");
        h.newVbd(vm, iso, "3", "CD");
        String net = (String) h.call("network.create", Map.of("name_label", "jail " + bridge, "name_description", "", "MTU", "1500",
                "other_config", Map.of(), "bridge", bridge));
        var vif = new LinkedHashMap<String, Object>();
        vif.putAll(Map.of("VM", vm, "network", net, "device", "0", "MAC", "", "MTU", "0", "other_config", Map.of()));
        vif.putAll(Map.of("qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
        h.call("VIF.create", vif);
        h.call("VM.start", vm, false, false);

        // the kernel and initrd were read (the guest runs), its NIC works, and QEMU reads the disk and the ISO
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, BOOT);
        h.awaitSerial(vm, "FLOTILLA-GUEST net eth0 10.233.0.1/24", 1, BOOT);
        // (qemu-io shows '-' as '.')
        assertTrue(read(vm, "vbd0-fmt").contains("FLOTILLA.DISK.MA"), read(vm, "vbd0-fmt"));
        assertTrue(read(vm, "vbd3-fmt").contains("FLOTILLA.ISO.MAR"), read(vm, "vbd3-fmt"));
        // ...through descriptors: its own uid may not even look into the directory
        int uid = h.jailUid(vm);
        assertNotEquals(0, as(uid, "test", "-r", kernels.resolve("vmlinux").toString()), "QEMU's uid cannot read the kernel by name");
        assertNotEquals(0, as(uid, "test", "-r", image.toString()), "nor the disk");
        assertTrue(h.fdsetFiles(vm).get("vbd3").contains(isoDir.resolve("cd.iso")), h.fdsetFiles(vm).toString());

        // no permission changed outside the state directory, no account made
        assertEquals(before, permissions(priv));
        assertEquals(tun, attributes(Path.of("/dev/net/tun")), "/dev/net/tun is left as it was");
        assertEquals(passwd, Files.readString(Path.of("/etc/passwd")));
        h.call("VM.hard_shutdown", vm);
        assertEquals(before, permissions(priv));
    }

    @Test
    void twoVmsQemusCannotReachEachOtherAndCarryNothingOfTheDaemon() throws Exception {
        // the state directory searchable by all (setup makes it root's alone): what keeps one VM from another is
        // then the jail, not a directory above it
        for (Path p : List.of(dir, h.state)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
        String a = h.newVm("a", "idle");
        String b = h.newVm("b", "idle", 128, f -> {
            f.put("PV_kernel", "");
            f.put("HVM_boot_policy", "BIOS order");
            f.put("platform", Map.of("firmware", "uefi"));
        });
        String diskA = h.newVdi("a disk", 8);
        String diskB = h.newVdi("b disk", 8);
        h.newVbd(a, diskA, "0", "Disk");
        h.newVbd(b, diskB, "0", "Disk");
        h.call("VM.start", a, true, false);
        h.call("VM.start", b, true, false);
        int uidA = h.jailUid(a);
        int uidB = h.jailUid(b);
        JailIds ids = JailIds.configured();
        assertTrue(ids.owns(uidA) && ids.owns(uidB) && uidA != uidB, uidA + " " + uidB);

        Path runB = h.runDir(b);
        Path imageB = h.node.storage().attachment(VDI.CLASS.ref(diskB)).image();
        Path nvramB = h.state.resolve("nvram").resolve(h.vm(b).get("uuid") + ".fd");
        assertTrue(Files.exists(nvramB));
        assertEquals(0, as(uidB, "ls", runB.toString()), "B's uid has its run directory");
        for (Path p : List.of(runB, runB.resolve("qmp.sock"), runB.resolve("vnc.sock"), runB.resolve("fds.sock"), imageB, nvramB)) {
            assertNotEquals(0, as(uidA, "cat", p.toString()), "A's QEMU uid opened " + p);
        }
        assertNotEquals(0, as(uidA, "ls", runB.toString()), "A's QEMU uid listed B's run directory");

        // inside its jail, A's QEMU sees /usr, two device nodes, and its own run directory: nothing of B
        long pidA = h.pid(a);
        String root = inJail(pidA, uidA, "ls", "-A", "/");
        var names = List.of(root.strip().split("\\s+"));
        assertTrue(names.containsAll(List.of("dev", "usr", "vm")), root);
        assertTrue(List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32", "dev", "tpm", "usr", "vm").containsAll(names), root);
        assertEquals("null\nurandom\n", inJail(pidA, uidA, "ls", "-A", "/dev").replace("kvm\n", ""));
        assertTrue(inJail(pidA, uidA, "ls", "/vm").contains("qmp.sock"));
        // what is mounted there (as the jail sees it): /usr read-only, the run directory writable but never
        // executable or set-id, and nothing else but the file system the empty root lies on
        var mounts = new LinkedHashMap<String, String>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pidA + "/mountinfo"))) {
            String[] f = line.split(" ");
            mounts.put(f[4], f[5]);
        }
        assertEquals(List.of("/dev/null", "/dev/urandom", "/usr", "/vm"), mounts.keySet().stream().filter(m -> !m.equals("/")).sorted().toList(),
                mounts.toString());
        assertTrue(mounts.get("/usr").startsWith("ro,") && mounts.get("/usr").contains("nosuid"), mounts.toString());
        assertTrue(mounts.get("/vm").contains("noexec") && mounts.get("/vm").contains("nosuid") && mounts.get("/vm").contains("nodev"), mounts.toString());
        assertEquals("", inJail(pidA, uidA, "sh", "-c", "ls /tpm; test -e '" + imageB + "' && echo image; test -e '" + runB + "' && echo run"));

        for (String vm : List.of(a, b)) {
            long pid = h.pid(vm);
            byte[] env = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
            assertEquals("PATH=/usr/sbin:/usr/bin:/sbin:/bin\0", new String(env, StandardCharsets.UTF_8), "nothing of the daemon's environment");
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            for (String line : List.of("NoNewPrivs:\t1", "Seccomp:\t2", "CapPrm:\t0000000000000000", "CapBnd:\t0000000000000000")) {
                assertTrue(status.contains(line), line + " in " + status);
            }
            String limits = Files.readString(Path.of("/proc/" + pid + "/limits"));
            assertTrue(limits.matches("(?s).*Max open files\\s+1024\\s+1024.*"), limits);
            assertTrue(limits.matches("(?s).*Max core file size\\s+0\\s+0.*"), limits);
            assertTrue(limits.matches("(?s).*Max processes\\s+130\\s+130.*"), limits);
            if (Cgroups.host().unavailable() == null) {
                String cgroup = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
                String own = "/flotilla." + h.node.db().get("host", h.node.hostRef()).uuid() + "." + h.vm(vm).get("uuid");
                assertTrue(cgroup.lines().anyMatch(l -> l.endsWith(own)), cgroup);
            }
        }
        h.call("VM.hard_shutdown", a);
        h.call("VM.hard_shutdown", b);
    }

    @Test
    void vmsStartedAtOnceOnANewHostAllRunAndNoAccountIsMade() throws Exception {
        String passwd = Files.readString(Path.of("/etc/passwd"));
        String group = Files.readString(Path.of("/etc/group"));
        var vms = new ArrayList<String>();
        for (int i = 0; i < 4; i++) vms.add(h.newVm("at once " + i, "idle"));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var starts = new ArrayList<Future<?>>();
            for (String vm : vms) starts.add(pool.submit(() -> h.call("VM.start", vm, true, false)));
            for (var s : starts) s.get();
        }
        for (String vm : vms) assertEquals("Paused", h.power(vm));
        assertEquals(4, vms.stream().map(h::jailUid).distinct().count(), "each VM its own uid");
        assertEquals(passwd, Files.readString(Path.of("/etc/passwd")));
        assertEquals(group, Files.readString(Path.of("/etc/group")));
        for (String vm : vms) h.call("VM.hard_shutdown", vm);
    }

    private String newVdi(String sr) {
        var args = new LinkedHashMap<String, Object>();
        args.putAll(Map.of("name_label", "private disk", "SR", sr, "virtual_size", 8L << 20, "type", "user", "sharable", false,
                "read_only", false, "other_config", Map.of()));
        return (String) h.call("VDI.create", args);
    }

    /** The first bytes of a block node as QEMU reads them (HMP qemu-io, which prints to QEMU's log), hex and text. */
    private String read(String vm, String node) throws Exception {
        h.qmp(vm).execute("human-monitor-command", Map.of("command-line", "qemu-io " + node + " \"read -v 0 32\""));
        return Files.readString(h.runDir(vm).resolve("qemu.log"));
    }

    /** A command's exit status when run as {@code uid}, with no groups or capabilities, as a jailed process is. */
    private static int as(int uid, String... command) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=-all", "--"));
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** A command's output as a jailed process sees it: in the mount namespace and root of {@code pid}, as {@code uid}. */
    private static String inJail(long pid, int uid, String... command) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("nsenter", "--target", Long.toString(pid), "--mount", "--root", "--setuid", Integer.toString(uid),
                "--setgid", Integer.toString(uid), "--"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Mode, owner and group of every file under {@code root}, and of root itself. */
    private static Map<Path, String> permissions(Path root) throws IOException {
        var out = new TreeMap<Path, String>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) out.put(p, attributes(p));
        }
        return out;
    }

    private static String attributes(Path p) throws IOException {
        var a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return Integer.toOctalString((Integer) a.get("mode")) + " " + a.get("uid") + ":" + a.get("gid");
    }
}
