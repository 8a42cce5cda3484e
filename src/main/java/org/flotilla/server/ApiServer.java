package org.flotilla.server;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.flotilla.api.Rpc;
import org.flotilla.api.TunnelTarget;

/**
 * The host's HTTPS server: the XenAPI (XML-RPC and JSON-RPC) on every path, plus whatever other subsystems
 * register by path prefix ({@code /console}, {@code /rrd_updates}, {@code /import}, …). Each request runs on
 * a virtual thread, so a call may simply block (event.from waits up to a minute). Byte streams (the VM consoles)
 * are served as XAPI serves them, to HTTP CONNECT requests and to WebSocket upgrades on their path.
 */
public final class ApiServer implements AutoCloseable {
    /** Protocols offered; everything older is excluded by name as well, whatever the JDK would allow. */
    static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final String[] OLD_PROTOCOLS = {"SSLv2", "SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1"};

    private final Server server;
    private final PrefixRouter router;
    private final TunnelTargets tunnels = new TunnelTargets();
    private final Executor virtualThreads;
    private final ServerConnector https;
    private final ServerConnector http; // null unless plain HTTP was asked for
    private final SslContextFactory.Server tls;

    public ApiServer(Rpc rpc, HostCertificate certificate, ApiServerConfig config) {
        var threads = new QueuedThreadPool();
        threads.setName("flotilla-api");
        // Jetty hands blocking work (our handlers) to this executor and keeps its selectors on platform threads
        virtualThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-", 0).factory());
        threads.setVirtualThreadsExecutor(virtualThreads);
        server = new Server(threads);
        server.setStopTimeout(2000);
        var errors = new ErrorHandler();
        errors.setShowStacks(false);
        server.setErrorHandler(errors);

        router = new PrefixRouter(new RpcHandler(new RpcInvoker(rpc)));
        server.setHandler(new BrowserOrigins(config.allowedOrigins(), new WebSocketTunnels(tunnels, router)));

        tls = tlsFactory(certificate);
        var secure = httpConfiguration();
        var customizer = new SecureRequestCustomizer();
        // an administrator's certificate need not name every address clients use, and XAPI does not check
        customizer.setSniHostCheck(false);
        customizer.setSniRequired(false);
        customizer.setStsMaxAge(-1);
        secure.addCustomizer(customizer);
        var connectOrHttp = connectDetector();
        https = new ServerConnector(server, new SslConnectionFactory(tls, connectOrHttp.getProtocol()), connectOrHttp,
                new VirtualThreadHttp(secure, virtualThreads));
        configure(https, config, config.httpsPort());
        server.addConnector(https);

        if (config.httpPort() != ApiServerConfig.DISABLED) {
            http = new ServerConnector(server, connectDetector(), new VirtualThreadHttp(httpConfiguration(), virtualThreads));
            configure(http, config, config.httpPort());
            server.addConnector(http);
        } else {
            http = null;
        }
    }

    /** CONNECT requests go to the tunnels before Jetty's HTTP parser sees them; everything else to HTTP. */
    private DetectorConnectionFactory connectDetector() { return new DetectorConnectionFactory(new ConnectTunnels(tunnels)); }

    private static SslContextFactory.Server tlsFactory(HostCertificate certificate) {
        var tls = new SslContextFactory.Server();
        tls.setKeyStore(certificate.keyStore());
        tls.setKeyStorePassword(certificate.keyStorePassword());
        tls.setKeyManagerPassword(certificate.keyStorePassword());
        tls.setIncludeProtocols(TLS_PROTOCOLS.toArray(String[]::new));
        tls.addExcludeProtocols(OLD_PROTOCOLS);
        tls.setIncludeCipherSuites(CipherOrder.preferred());
        tls.setUseCipherSuitesOrder(true);
        tls.setSniRequired(false);
        return tls;
    }

    private static HttpConfiguration httpConfiguration() {
        var c = new HttpConfiguration();
        c.setSendServerVersion(false);
        c.setSendXPoweredBy(false);
        return c;
    }

    private static void configure(ServerConnector connector, ApiServerConfig config, int port) {
        connector.setHost(config.bindAddress());
        connector.setPort(port);
        connector.setIdleTimeout(config.idleTimeout().toMillis());
    }

    /**
     * Serves every request whose path starts with {@code pathPrefix} (plain string prefix, longest wins, as in
     * XAPI) with {@code handler}, before the API endpoints. A handler returning false lets the request fall
     * through to shorter prefixes and finally to the XenAPI. May be called before or after {@link #start()}.
     */
    public void addHandler(String pathPrefix, Handler handler) { router.add(pathPrefix, handler); }

    /**
     * Serves the byte streams under {@code pathPrefix} (longest prefix wins) to {@code CONNECT <path> HTTP/1.x}
     * requests and to WebSocket upgrades of GET requests there; plain requests on the path still go to the
     * handlers. May be called before or after {@link #start()}.
     */
    public void addTunnel(String pathPrefix, TunnelTarget target) { tunnels.add(pathPrefix, target); }

    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the API server: " + e.getMessage(), e);
        }
    }

    /** The HTTPS port bound, once started (useful with port 0). */
    public int httpsPort() { return https.getLocalPort(); }

    /** The plain HTTP port bound, or -1 when plain HTTP is off. */
    public int httpPort() { return http == null ? -1 : http.getLocalPort(); }

    /** The TLS protocols the server actually negotiates, once started. */
    public List<String> tlsProtocols() { return Arrays.asList(tls.getSelectedProtocols()); }

    public void join() throws InterruptedException { server.join(); }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (java.util.concurrent.TimeoutException e) {
            // kept-alive client connections outlived the graceful period; Jetty has closed them all the same
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the API server", e);
        }
    }
}
