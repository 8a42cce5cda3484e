package org.flotilla.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;

/**
 * Recognizes a connection that opens with {@code CONNECT /path...}, as XenCenter and Xen Orchestra open a VM
 * console, and hands it to a {@link ConnectTunnelConnection}. It sits between TLS and HTTP: Jetty's HTTP parser
 * takes a CONNECT target for an authority and rejects a path, so such requests never reach it.
 */
final class ConnectTunnels extends AbstractConnectionFactory implements ConnectionFactory.Detecting {
    private static final byte[] METHOD = "CONNECT ".getBytes(StandardCharsets.US_ASCII);
    private final TunnelTargets targets;

    ConnectTunnels(TunnelTargets targets) {
        super("xapi-connect");
        this.targets = targets;
    }

    @Override
    public Detection detect(ByteBuffer buffer) {
        int n = Math.min(buffer.remaining(), METHOD.length);
        for (int i = 0; i < n; i++) {
            if (buffer.get(buffer.position() + i) != METHOD[i]) return Detection.NOT_RECOGNIZED;
        }
        return n == METHOD.length ? Detection.RECOGNIZED : Detection.NEED_MORE_BYTES;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new ConnectTunnelConnection(endPoint, connector.getExecutor(), targets), connector, endPoint);
    }
}
