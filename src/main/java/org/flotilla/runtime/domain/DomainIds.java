package org.flotilla.runtime.domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;

/**
 * Hands out domain ids, never one twice on this host: the last one is kept in {@code <state>/domid}, since
 * a VM record that held a higher id may be gone and a network device may still be named after it. An id
 * that a network device on the host is already named after ({@code vif<id>.<device>}, left by a crash or by
 * another toolstack on the same machine) is skipped.
 */
public final class DomainIds {
    private static final System.Logger LOG = System.getLogger(DomainIds.class.getName());

    private final Path file;
    private final AtomicLong next;

    /** Domain ids are a host's own, as Xen's are: other hosts' VMs in the pool's database do not count. */
    public DomainIds(Database db, Ref<Host> host, Path stateDir) {
        this.file = stateDir.resolve("domid");
        long max = 0;
        for (DbObject<VM> vm : db.referring(VM.resident_on, host)) if (vm.get(VM.domid) instanceof Long l) max = Math.max(max, l);
        this.next = new AtomicLong(Math.max(max, HostFiles.readLong(file)) + 1);
    }

    public long next() {
        long id = next.getAndIncrement();
        while (namesADevice(id)) id = next.getAndIncrement();
        try {
            Files.writeString(file, Long.toString(id) + "\n");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record domid: " + e);
        }
        return id;
    }

    private static boolean namesADevice(long id) {
        String prefix = "vif" + id + ".";
        try (var links = Files.list(NET_DEVICES)) {
            return links.anyMatch(l -> l.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            return false;
        }
    }

    private static final Path NET_DEVICES = Path.of("/sys/class/net");
}
