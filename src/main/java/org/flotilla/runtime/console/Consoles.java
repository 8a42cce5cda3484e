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
 * uuid>} as XAPI makes them, and served there by {@link ConsoleTunnels} and {@link ConsoleHttp}. The control domain
 * has a {@code vt100} console too, a login on the host ({@link HostLogins}), located by ref as XAPI locates dom0's.
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
        stageRemoval(tx, vm);
        for (ConsoleProtocol protocol : PROTOCOLS) {
            String uuid = Refs.newUuid();
            tx.put(Refs.newRef(Console.CLASS), Rec.empty(Console.CLASS)
                    .set(Console.uuid, uuid)
                    .set(Console.protocol, protocol)
                    .set(Console.VM, vm)
                    .set(Console.location, location("uuid=" + uuid))
                    .set(Console.other_config, Map.of()));
        }
    }

    /**
     * Gives this host's control domain its one vt100 console, located on the API's port at this host's address as
     * they are now (XAPI's create_misc.ml makes dom0's consoles and sets them right at every start). There is no rfb
     * console: XAPI's is a VNC terminal (vncterm) drawing the same text, which Flotilla does not have.
     */
    public void ensureControlDomainConsole() {
        DbObject<Host> host = db.get(hostRef);
        if (host == null || !db.exists(host.get(Host.control_domain))) return;
        Ref<VM> dom0 = host.get(Host.control_domain);
        db.write(tx -> {
            var vt100 = db.referring(Console.VM, dom0).stream().filter(c -> c.get(Console.protocol) == ConsoleProtocol.vt100).toList();
            for (DbObject<Console> extra : vt100.stream().skip(1).toList()) tx.delete(extra.self(Console.CLASS));
            if (!vt100.isEmpty()) {
                Ref<Console> ref = vt100.getFirst().self(Console.CLASS);
                tx.set(ref, Console.location, location("ref=" + ref.value()));
                return;
            }
            Ref<Console> ref = Refs.newRef(Console.CLASS);
            tx.put(ref, Rec.empty(Console.CLASS)
                    .set(Console.uuid, Refs.newUuid())
                    .set(Console.protocol, ConsoleProtocol.vt100)
                    .set(Console.VM, dom0)
                    .set(Console.location, location("ref=" + ref.value()))
                    .set(Console.other_config, Map.of()));
        });
    }

    /** {@code https://<host address>[:<API port>]/console?<query>}, the port named unless it is HTTPS's own. */
    private String location(String query) {
        String hostAddress = Optional.ofNullable(db.get(hostRef)).map(h -> h.get(Host.address)).orElse("localhost");
        String authority = (hostAddress.contains(":") ? "[" + hostAddress + "]" : hostAddress) + (apiPort == HTTPS ? "" : ":" + apiPort);
        return "https://" + authority + "/console?" + query;
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
