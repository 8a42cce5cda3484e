package org.flotilla.cli;

import org.flotilla.api.Rpc;

/**
 * How xe reaches a host's XenAPI: given the server, port and whether to use TLS, an {@link Rpc} that
 * carries calls to it. The CLI knows nothing of the wire beyond this.
 */
@FunctionalInterface
public interface HostConnector {
    /**
     * @param host a host name or address, as given by -s / server=
     * @param port the API port (443 with TLS, 80 without, unless -p says otherwise)
     * @param tls  false only with --nossl
     * @throws org.flotilla.model.ApiError or any RuntimeException if the host cannot be reached; xe reports it
     */
    Rpc connect(String host, int port, boolean tls);

    /** A connector for builds without a wire client: every connection fails, saying why. */
    HostConnector NOT_WIRED = (host, port, tls) -> {
        throw new IllegalStateException("xe cannot reach " + host + ":" + port + ": no XenAPI wire client is wired into this build");
    };

    /** The wire client of this build: XML-RPC over HTTP(S), accepting a host's self-signed certificate as xe does. */
    HostConnector XML_RPC = RemoteRpc::of;
}
