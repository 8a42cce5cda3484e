package org.flotilla.host.vm;

import java.util.Map;
import java.util.Optional;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/** The console records of this host's VMs: one vt100 console while a VM runs, served by {@link ConsoleHttp}. */
final class Consoles {
    private final Database db;
    private final String hostRef;

    Consoles(Database db, String hostRef) {
        this.db = db;
        this.hostRef = hostRef;
    }

    /** Stages a fresh console for a VM that has just started here (a reboot keeps it). */
    void stageFresh(Database.Tx tx, String vmRef) {
        String hostAddress = Optional.ofNullable(db.get("host", hostRef)).map(h -> h.string("address")).orElse("localhost");
        stageRemoval(tx, vmRef);
        String uuid = Refs.newUuid();
        tx.put("console", Refs.newRef(), Map.of("uuid", uuid, "protocol", "vt100", "VM", vmRef,
                "location", "https://" + hostAddress + "/console?uuid=" + uuid, "other_config", Map.of()));
    }

    void stageRemoval(Database.Tx tx, String vmRef) {
        for (DbObject c : db.where("console", c -> vmRef.equals(c.get("VM")))) tx.delete("console", c.ref());
    }

    boolean exists(String vmRef) { return !db.where("console", c -> vmRef.equals(c.get("VM"))).isEmpty(); }
}
