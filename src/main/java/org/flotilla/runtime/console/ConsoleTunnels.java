package org.flotilla.runtime.console;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.api.TunnelTarget;
import org.flotilla.db.Database;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * The consoles of running VMs as byte streams, for HTTP CONNECT and WebSocket clients: an {@code rfb} console
 * leads to the VM's VNC server, a {@code vt100} console to its serial port, both unix sockets in the VM's run
 * directory. A request that names a VM gets its rfb console, as in XAPI.
 */
public final class ConsoleTunnels implements TunnelTarget {
    private final Database db;
    private final Domains domains;

    public ConsoleTunnels(Database db, Domains domains) {
        this.db = db;
        this.domains = domains;
    }

    @Override
    public TunnelOutcome open(TunnelRequest request) {
        return switch (ConsoleLookup.of(db, domains, request, ConsoleProtocol.rfb)) {
            case ConsoleLookup.Missing m -> m.refusal();
            case ConsoleLookup.Found f -> connect(socketOf(f.console().get(Console.protocol), f.runDir()));
        };
    }

    private static Path socketOf(ConsoleProtocol protocol, Path runDir) {
        return protocol == ConsoleProtocol.rfb ? QemuCommand.vncSocket(runDir) : QemuCommand.serialSocket(runDir);
    }

    private static TunnelOutcome connect(Path socket) {
        try {
            return new TunnelOutcome.Opened(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        } catch (IOException e) {
            // a QEMU started before consoles were sockets, or one that is exiting
            return new TunnelOutcome.Refused(404, "the console is not available");
        }
    }
}
