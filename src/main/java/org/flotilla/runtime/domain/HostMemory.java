package org.flotilla.runtime.domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.VM;
import org.flotilla.pool.VmMemory;

/** How much memory this host can give a new VM, and the host_metrics.memory_free that tells the pool. */
public final class HostMemory {
    public static final long MIB = VmMemory.MIB;
    private final Database db;
    private final Ref<Host> hostRef;
    private final Domains domains;

    public HostMemory(Database db, Ref<Host> hostRef, Domains domains) {
        this.db = db;
        this.hostRef = hostRef;
        this.domains = domains;
    }

    /** The host's available memory minus what running VMs reserved but do not use yet. */
    public long available() {
        long avail = meminfo("MemAvailable");
        long outstanding = 0;
        for (Domain d : domains.all()) {
            DbObject<VM> vm = db.get(d.vmRef);
            if (vm == null) continue;
            long staticMax = vm.get(VM.memory_static_max);
            long reserved = VmMemory.required(staticMax);
            outstanding += Math.max(0, reserved - rss(d.pid));
        }
        return Math.max(0, avail - outstanding);
    }

    /** HOST_NOT_ENOUGH_FREE_MEMORY unless a VM of {@code staticMax} and its overhead fits now. */
    public void reserve(long staticMax) {
        // any size is accepted when set, as in XAPI: the sum saturates near 2^63
        long needed = VmMemory.required(staticMax);
        long available = available();
        if (needed > available) throw ApiError.of("HOST_NOT_ENOUGH_FREE_MEMORY", Long.toString(needed), Long.toString(available));
    }

    /** Records memory_free in this host's metrics, after a VM started or stopped. */
    public void publish() {
        DbObject<Host> host = db.get(hostRef);
        if (host == null) return;
        Ref<Host_metrics> m = host.get(Host.metrics);
        if (m.isNull() || !db.exists(m)) return;
        long free = available();
        db.write(tx -> {
            tx.set(m, Host_metrics.memory_free, free);
            tx.set(m, Host_metrics.last_updated, Instant.now());
        });
    }

    private static long meminfo(String key) { return kibField(Path.of("/proc/meminfo"), key + ":"); }

    private static long rss(long pid) { return kibField(Path.of("/proc/" + pid + "/status"), "VmRSS:"); }

    /** A "Key: N kB" line of a /proc file, in bytes; 0 if absent. */
    private static long kibField(Path file, String prefix) {
        try {
            for (String l : Files.readAllLines(file)) {
                if (l.startsWith(prefix)) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) { }
        return 0;
    }
}
