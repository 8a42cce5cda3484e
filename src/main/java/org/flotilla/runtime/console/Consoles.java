package org.flotilla.runtime.console;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;

/**
 * The console records of this host's VMs: while a VM runs, an {@code rfb} console (its VGA display over VNC) and
 * a {@code vt100} console (its serial port), each located at {@code https://<host address>/console?uuid=<console
 * uuid>} as XAPI makes them, and served there by {@link ConsoleTunnels} and {@link ConsoleHttp}.
 */
public final class Consoles {
    static final List<ConsoleProtocol> PROTOCOLS = List.of(ConsoleProtocol.rfb, ConsoleProtocol.vt100);
    private static final int HTTPS = 443;

    private final Database db;
    private final Ref<Host> hostRef;
    private volatile int apiPort = HTTPS;

    public Consoles(Database db, Ref<Host> hostRef) {
        this.db = db;
        this.hostRef = hostRef;
    }

    /** The port the XenAPI is served on, which consoles' locations name unless it is HTTPS's own. */
    public void servedOn(int port) { this.apiPort = port; }

    /** Stages a fresh console for a VM that has just started here (a reboot keeps it). */
    public void stageFresh(Database.Tx tx, Ref<VM> vm) {
        String hostAddress = Optional.ofNullable(db.get(hostRef)).map(h -> h.get(Host.address)).orElse("localhost");
        String authority = (hostAddress.contains(":") ? "[" + hostAddress + "]" : hostAddress) + (apiPort == HTTPS ? "" : ":" + apiPort);
        stageRemoval(tx, vm);
        for (ConsoleProtocol protocol : PROTOCOLS) {
            String uuid = Refs.newUuid();
            tx.put(Refs.newRef(Console.CLASS), Rec.empty(Console.CLASS)
                    .set(Console.uuid, uuid)
                    .set(Console.protocol, protocol)
                    .set(Console.VM, vm)
                    .set(Console.location, "https://" + authority + "/console?uuid=" + uuid)
                    .set(Console.other_config, Map.of()));
        }
    }

    public void stageRemoval(Database.Tx tx, Ref<VM> vm) {
        for (DbObject<Console> c : db.referring(Console.VM, vm)) tx.delete(c.self(Console.CLASS));
    }

    /** Whether the VM has its consoles (all of them: records of an older daemon may lack the rfb one). */
    public boolean exist(Ref<VM> vm) {
        var protocols = db.referring(Console.VM, vm).stream().map(c -> c.get(Console.protocol)).toList();
        return protocols.size() == PROTOCOLS.size() && protocols.containsAll(PROTOCOLS);
    }
}
