package org.flotilla.host.vm;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/**
 * The console records of this host's VMs: while a VM runs, an {@code rfb} console (its VGA display over VNC) and
 * a {@code vt100} console (its serial port), each located at {@code https://<host address>/console?uuid=<console
 * uuid>} as XAPI makes them, and served there by {@link ConsoleTunnels} and {@link ConsoleHttp}.
 */
final class Consoles {
    static final List<String> PROTOCOLS = List.of("rfb", "vt100");

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
        for (String protocol : PROTOCOLS) {
            String uuid = Refs.newUuid();
            tx.put("console", Refs.newRef(), Map.of("uuid", uuid, "protocol", protocol, "VM", vmRef,
                    "location", "https://" + hostAddress + "/console?uuid=" + uuid, "other_config", Map.of()));
        }
    }

    void stageRemoval(Database.Tx tx, String vmRef) {
        for (DbObject<?> c : db.where("console", c -> vmRef.equals(c.get("VM")))) tx.delete("console", c.ref());
    }

    /** Whether the VM has its consoles (all of them: records of an older daemon may lack the rfb one). */
    boolean exist(String vmRef) {
        var protocols = db.where("console", c -> vmRef.equals(c.get("VM"))).stream().map(c -> c.string("protocol")).toList();
        return protocols.size() == PROTOCOLS.size() && protocols.containsAll(PROTOCOLS);
    }
}
