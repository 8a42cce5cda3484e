package org.flotilla.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.TestTimeouts;
import org.flotilla.daemon.Node;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;

/**
 * Guests that count on their disk and their serial console (scripts/guest: {@code COUNT n} every 50 ms, the count
 * kept on the disk), on Nodes of one database, and what tests read of them: their serial logs, by host.
 */
final class CountingGuests {
    private static final Pattern COUNT = Pattern.compile("COUNT (\\d+)");

    private final NodesOnOneDatabase hosts;

    CountingGuests(NodesOnOneDatabase hosts) { this.hosts = hosts; }

    /** A guest started on {@code node} (host number {@code host}) whose 16 MiB disk is a new VDI in {@code sr}, counting. */
    Ref<VM> start(Node node, int host, Ref<SR> sr) throws Exception { return start(node, host, sr, 16, vdi -> { }); }

    /** The same with a disk of {@code mib} MiB, given to {@code prepare} before the guest starts. */
    Ref<VM> start(Node node, int host, Ref<SR> sr, long mib, ThrowingConsumer<Ref<VDI>> prepare) throws Exception {
        String session = NodesOnOneDatabase.login(node);
        Ref<VM> vm = hosts.newGuest("mover", "counter flotilla.counter_ms=50");
        var vdiArgs = new LinkedHashMap<>(SharedDatabaseTest.vdiArgs(sr, "counter disk"));
        vdiArgs.put("virtual_size", mib << 20);
        String vdi = (String) NodesOnOneDatabase.call(node, "VDI.create", session, vdiArgs);
        prepare.accept(VDI.CLASS.ref(vdi));
        hosts.attachDisk(vm, vdi);
        node.vmRuntime().refreshAllowedOperations();
        NodesOnOneDatabase.call(node, "VM.start_on", session, vm.value(), node.hostRef(), false, false);
        hosts.track(node.vmRuntime().pids().get(vm));
        awaitCounts(host, vm, 5);
        return vm;
    }

    Path runDir(int host, Ref<VM> vm) { return hosts.state(host).resolve("run").resolve(hosts.db.require(vm).get(VM.uuid)); }

    Path serial(int host, Ref<VM> vm) { return runDir(host, vm).resolve("serial.log"); }

    /** What the guest's serial log on {@code host} held last while {@code action} ran (it may delete the log). */
    String serialDuring(int host, Ref<VM> vm, ThrowingRunnable action) throws Exception {
        var last = new AtomicReference<>("");
        Thread watcher = Thread.ofVirtual().start(() -> follow(serial(host, vm), last));
        try {
            action.run();
        } finally {
            watcher.interrupt();
            watcher.join();
        }
        return last.get();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @FunctionalInterface
    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    /** Keeps the latest content of a serial log that will be deleted, until interrupted. */
    static void follow(Path serial, AtomicReference<String> last) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                String s = Files.readString(serial);
                if (s.length() >= last.get().length()) last.set(s);
                Thread.sleep(5);
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    void awaitCounts(int host, Ref<VM> vm, int n) throws InterruptedException, IOException {
        Path serial = serial(host, vm);
        long deadline = System.nanoTime() + Duration.ofSeconds(30L * TestTimeouts.LOADED).toNanos();
        while (!Files.exists(serial) || occurrences(Files.readString(serial)) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " counts on host " + host + ":\n" + (Files.exists(serial) ? Files.readString(serial) : ""));
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the guest on {@code host} has counted on three more times, past what it had counted. */
    void countsOn(int host, Ref<VM> vm) throws IOException, InterruptedException {
        long before = lastCount(Files.readString(serial(host, vm)));
        awaitCounts(host, vm, occurrences(Files.readString(serial(host, vm))) + 3);
        if (lastCount(Files.readString(serial(host, vm))) <= before) throw new AssertionError("the guest does not count on, on host " + host);
    }

    static int occurrences(String s) {
        int n = 0;
        for (Matcher m = COUNT.matcher(s); m.find(); ) n++;
        return n;
    }

    static long lastCount(String s) { return lastNumber(COUNT, s); }

    static long firstCount(String s) { return firstNumber(COUNT, s); }

    /** The number of the last line of a guest's console that {@code said} matches (its group 1), or -1. */
    static long lastNumber(Pattern said, String console) {
        long last = -1;
        for (Matcher m = said.matcher(console); m.find(); ) last = Long.parseLong(m.group(1));
        return last;
    }

    /** The number of the first such line, or -1. */
    static long firstNumber(Pattern said, String console) {
        Matcher m = said.matcher(console);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
