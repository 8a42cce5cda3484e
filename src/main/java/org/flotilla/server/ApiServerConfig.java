package org.flotilla.server;

import java.time.Duration;
import java.util.Set;

/**
 * Where and how the API listens. HTTPS always; plain HTTP only when a port is given for it, for local testing.
 *
 * @param bindAddress    address to listen on; null for every interface
 * @param httpsPort      443 by default (clients build URLs from host.address with no port); 0 = pick a free one
 * @param httpPort       {@link #DISABLED} unless plain HTTP is wanted; 0 = pick a free one
 * @param idleTimeout    how long a kept-alive connection may sit idle; long enough for event.from's long polls
 * @param allowedOrigins the web origins ({@code https://xo.example.com:8443}) whose pages may use the API and the
 *                       consoles besides this host's own
 */
public record ApiServerConfig(String bindAddress, int httpsPort, int httpPort, Duration idleTimeout, Set<String> allowedOrigins) {
    public static final int DISABLED = -1;

    public ApiServerConfig {
        if (httpsPort < 0 || httpsPort > 65535) throw new IllegalArgumentException("https port " + httpsPort);
        if (httpPort < DISABLED || httpPort > 65535) throw new IllegalArgumentException("http port " + httpPort);
        if (idleTimeout == null || idleTimeout.isNegative()) throw new IllegalArgumentException("idle timeout " + idleTimeout);
        allowedOrigins = Set.copyOf(allowedOrigins);
        for (String o : allowedOrigins) {
            if (!BrowserOrigins.valid(o)) throw new IllegalArgumentException("not a web origin (scheme://host[:port]): " + o);
        }
    }

    public static ApiServerConfig defaults() { return new ApiServerConfig(null, 443, DISABLED, Duration.ofMinutes(10), Set.of()); }

    /** For tests: loopback, ephemeral HTTPS port, no plain HTTP. */
    public static ApiServerConfig loopbackEphemeral() { return defaults().withBindAddress("127.0.0.1").withHttpsPort(0); }

    public ApiServerConfig withBindAddress(String address) { return new ApiServerConfig(address, httpsPort, httpPort, idleTimeout, allowedOrigins); }

    public ApiServerConfig withHttpsPort(int port) { return new ApiServerConfig(bindAddress, port, httpPort, idleTimeout, allowedOrigins); }

    public ApiServerConfig withPlainHttpPort(int port) { return new ApiServerConfig(bindAddress, httpsPort, port, idleTimeout, allowedOrigins); }

    public ApiServerConfig withIdleTimeout(Duration timeout) { return new ApiServerConfig(bindAddress, httpsPort, httpPort, timeout, allowedOrigins); }

    public ApiServerConfig withAllowedOrigins(Set<String> origins) { return new ApiServerConfig(bindAddress, httpsPort, httpPort, idleTimeout, origins); }
}
