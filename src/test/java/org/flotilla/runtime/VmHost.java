package org.flotilla.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.api.Refs;
import org.flotilla.daemon.Node;
import org.flotilla.db.Journal;
import org.flotilla.db.Op;
import org.flotilla.db.Transaction;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.TestGuest;
import org.flotilla.runtime.domain.HostFiles;

/**
 * A host for VM tests: a {@link Node} on a state directory, with a journal kept in memory so that a second
 * Node on the same directory plays the daemon after a restart. {@link #close()} kills every QEMU and swtpm
 * left under the state directory, whatever the test did.
 */
final class VmHost implements AutoCloseable {
    static final Path GUEST = TestGuest.DIR;

    Path state;
    final MemoryJournal journal = new MemoryJournal();
    Node node;
    String session;

    VmHost(Path state) throws IOException, InterruptedException {
        ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", GUEST.toString());
        this.state = state;
        org.flotilla.TestDomainIds.seed(state);
        open();
    }

    /** Starts (again) the node: what a daemon (re)start does. */
    void open() {
        node = new Node(state, journal, (u, p) -> true, HostFacts.read("127.0.0.1"), r -> "<value>" + r + "</value>");
        session = (String) node.rpc().call("session.login_with_password", new ArrayList<>(List.of("root", "x")));
    }

    /** Stops the node without touching its VMs, as a daemon stopping (or killed). */
    void closeNode() {
        if (node != null) node.close();
        node = null;
    }

    Object call(String method, Object... params) {
        var args = new ArrayList<Object>();
        if (!method.startsWith("session.")) args.add(session);
        args.addAll(Arrays.asList(params));
        return node.rpc().call(method, args);
    }

    ApiError fails(String method, Object... params) {
        try {
            call(method, params);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError(method + " did not fail");
    }

    Map<String, Object> vm(String ref) { return node.db().record("VM", ref); }

    String power(String ref) { return (String) vm(ref).get("power_state"); }

    /** A VM record as VM.create would make it, booting the test guest's kernel in {@code mode}. */
    String newVm(String name, String mode, long memMiB, Consumer<Map<String, Object>> tweak) {
        String ref = Refs.newRef();
        var f = TestGuest.vmFields(name, memMiB, "console=ttyS0 quiet panic=-1 flotilla.mode=" + mode + " flotilla.counter_ms=50");
        f.put("uuid", Refs.newUuid());
        f.put("power_state", "Halted");
        f.put("memory_target", memMiB << 20);
        tweak.accept(f);
        node.db().write(tx -> tx.put("VM", ref, f));
        node.vmRuntime().refreshAllowedOperations();
        return ref;
    }

    String newVm(String name, String mode) { return newVm(name, mode, 128, f -> { }); }

    /** A new empty disk on the default SR. */
    String newVdi(String name, long sizeMiB) {
        String sr = (String) call("pool.get_default_SR", node.poolRef());
        var args = new LinkedHashMap<String, Object>();
        args.put("name_label", name);
        args.put("SR", sr);
        args.put("virtual_size", sizeMiB << 20);
        args.put("type", "user");
        args.put("sharable", false);
        args.put("read_only", false);
        args.put("other_config", Map.of());
        return (String) call("VDI.create", args);
    }

    String newVbd(String vm, String vdi, String userdevice, String type) {
        String ref = Refs.newRef();
        var f = new LinkedHashMap<String, Object>();
        f.put("uuid", Refs.newUuid());
        f.put("VM", vm);
        f.put("VDI", vdi == null ? "OpaqueRef:NULL" : vdi);
        f.put("userdevice", userdevice);
        f.put("device", "");
        f.put("bootable", userdevice.equals("0"));
        f.put("mode", type.equals("CD") ? "RO" : "RW");
        f.put("type", type);
        f.put("unpluggable", true);
        f.put("empty", vdi == null);
        node.db().write(tx -> tx.put("VBD", ref, f));
        return ref;
    }

    Path runDir(String vm) { return state.resolve("run").resolve((String) vm(vm).get("uuid")); }

    String serial(String vm) {
        try {
            Path p = runDir(vm).resolve("serial.log");
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the VM's serial log has {@code count} occurrences of {@code text}. */
    void awaitSerial(String vm, String text, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (occurrences(serial(vm), text) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + count + "x '" + text + "' on the serial console within " + timeout + ":\n" + serial(vm));
            }
            Thread.sleep(20);
        }
    }

    static int occurrences(String s, String text) {
        int n = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) n++;
        return n;
    }

    /** The last whole count line: the serial log may end in the middle of one. */
    /** The first whole COUNT line the VM's serial console shows, once it shows one. */
    long firstCount(String vm, Duration within) throws InterruptedException {
        await(() -> firstCount(serial(vm)) >= 0, within, "a whole COUNT line");
        return firstCount(serial(vm));
    }

    private static long firstCount(String serial) {
        Matcher m = Pattern.compile("COUNT (\\d+)\\r?\\n").matcher(serial);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static long lastCount(String serial) {
        Matcher m = Pattern.compile("COUNT (\\d+)\\r?\\n").matcher(serial);
        long last = -1;
        while (m.find()) last = Long.parseLong(m.group(1));
        return last;
    }

    static void await(Supplier<Boolean> cond, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** The uid the VM's QEMU runs as: its jail's. */
    int jailUid(String vm) { return (int) HostFiles.uidOf(pid(vm)); }

    /** The pid of the VM's QEMU, if the runtime follows one. */
    Long pid(String vm) { return node.vmRuntime().pids().get(VM.CLASS.ref(vm)); }

    /** The QMP connection of the VM's QEMU, to act as the guest would behind the API's back. */
    Qmp qmp(String vm) { return node.vmRuntime().qmp(VM.CLASS.ref(vm)); }

    /** A file's owner, by number (the jails' uids have no account). */
    static int owner(Path p) throws IOException { return (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS); }

    /**
     * The files behind the VM's QEMU's fdsets, by their tag (opaque): what the daemon opened and handed it,
     * as QMP lists the descriptors and /proc names their files.
     */
    Map<String, List<Path>> fdsetFiles(String vm) throws Exception {
        long pid = pid(vm);
        var out = new LinkedHashMap<String, List<Path>>();
        for (var set : qmp(vm).execute("query-fdsets")) {
            for (var fd : set.path("fds")) {
                Path file = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd.path("fd").asInt()));
                out.computeIfAbsent(fd.path("opaque").asText(""), k -> new ArrayList<>()).add(file);
            }
        }
        return out;
    }

    /** Pids of the QEMUs whose pid files are under the state directory. */
    List<Long> qemuPids() { return pids("qemu.pid"); }

    /** Pids of the swtpms whose pid files are under the state directory. */
    List<Long> swtpmPids() { return pids("swtpm.pid"); }

    private List<Long> pids(String pidFile) {
        var out = new ArrayList<Long>();
        Path run = state.resolve("run");
        if (!Files.isDirectory(run)) return out;
        try (var dirs = Files.list(run)) {
            for (Path d : dirs.toList()) {
                try {
                    out.add(Long.parseLong(Files.readString(d.resolve(pidFile)).strip()));
                } catch (IOException | NumberFormatException ignored) { }
            }
        } catch (IOException ignored) { }
        return out;
    }

    @Override
    public void close() {
        var pids = new ArrayList<>(qemuPids());
        pids.addAll(swtpmPids());
        if (node != null) pids.addAll(node.vmRuntime().pids().values());
        try {
            closeNode();
        } finally {
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(p -> {
                    String command = p.info().command().orElse("");
                    if (command.contains("qemu") || command.contains("swtpm")) {
                        p.destroyForcibly();
                        try { p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS); } catch (Exception ignored) { }
                    }
                });
            }
            org.flotilla.TestDomainIds.removeTaps(state);
        }
    }

    /** A journal that keeps every transaction in memory: a second Node over it recovers the first one's state. */
    static final class MemoryJournal implements Journal {
        private final List<Transaction> log = new CopyOnWriteArrayList<>();

        @Override public void recover(Consumer<Transaction> replay) { log.forEach(replay); }

        @Override public void append(Transaction tx) { log.add(tx); }

        @Override public boolean wantsCompaction() { return false; }

        @Override public void compact(long generation, Supplier<Iterable<Op.Put>> state) { }

        @Override public void close() { }
    }

    static void ensureBuilt() throws IOException, InterruptedException { TestGuest.ensureBuilt(); }
}
