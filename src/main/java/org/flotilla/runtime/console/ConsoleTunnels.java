package org.flotilla.runtime.console;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.flotilla.api.HttpCalls;
import org.flotilla.api.HttpRefusal;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.api.TunnelTarget;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * The consoles of running VMs as byte streams, for HTTP CONNECT and WebSocket clients: an {@code rfb} console
 * leads to the VM's VNC server, a {@code vt100} console to its serial port, both unix sockets in the VM's run
 * directory; the control domain's {@code vt100} console to a login on the host ({@link HostLogins}). A request that
 * names a VM gets its rfb console, as in XAPI. A stream runs under the client's task if {@code task_id} names one,
 * which ends when the stream does.
 */
public final class ConsoleTunnels implements TunnelTarget {
    private final ConsoleLookup consoles;
    private final HttpCalls calls;
    private final HostLogins logins;

    public ConsoleTunnels(ConsoleLookup consoles, HttpCalls calls, HostLogins logins) {
        this.consoles = consoles;
        this.calls = calls;
        this.logins = logins;
    }

    @Override
    public TunnelOutcome open(TunnelRequest request) {
        try {
            return calls.run(request, task -> new TunnelOutcome.Opened(switch (consoles.find(request, ConsoleProtocol.rfb)) {
                case ConsoleLookup.OfVm vm -> connect(socketOf(vm.console().get(Console.protocol), vm.runDir()));
                case ConsoleLookup.OfHost host -> logins.open();
            }, task));
        } catch (HttpRefusal e) {
            return e.asTunnelOutcome();
        }
    }

    private static Path socketOf(ConsoleProtocol protocol, Path runDir) {
        return protocol == ConsoleProtocol.rfb ? QemuCommand.vncSocket(runDir) : QemuCommand.serialSocket(runDir);
    }

    private static SocketChannel connect(Path socket) {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            // a QEMU started before consoles were sockets, or one that is exiting
            throw new HttpRefusal(404, ApiError.internal("the console is not available: " + e.getMessage()));
        }
    }
}
