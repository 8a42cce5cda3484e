package org.flotilla.server;

import java.util.concurrent.Executor;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 connections that run on virtual threads what they hand to their executor. It matters for the first
 * request of a connection: the CONNECT detector has read its bytes already, and Jetty's HTTP connection then
 * handles it through its executor (the platform thread pool) rather than through the selector's strategy that
 * sends blocking work to virtual threads; an event.from waiting a minute would hold a platform thread.
 */
final class VirtualThreadHttp extends HttpConnectionFactory {
    private final Executor virtualThreads;

    VirtualThreadHttp(HttpConfiguration configuration, Executor virtualThreads) {
        super(configuration);
        this.virtualThreads = virtualThreads;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        var connection = new HttpConnection(getHttpConfiguration(), connector, endPoint) {
            @Override
            public Executor getExecutor() { return virtualThreads; }
        };
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }
}
