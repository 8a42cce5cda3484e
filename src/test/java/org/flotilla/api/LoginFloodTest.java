package org.flotilla.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.ApiError;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Logins against a real daemon over HTTPS, with root's real password file, from several loopback addresses
 * (127.0.0.x) as clients on several machines would be: floods of wrong passwords, unknown users, back-off.
 */
@Isolated("measures latencies: nothing else may run beside it")
class LoginFloodTest {
    static final String PASSWORD = "flood-test-password";
    @TempDir Path dir;
    Daemon daemon;

    void start(LoginThrottle.Config logins) {
        org.flotilla.TestDomainIds.seed(dir);
        daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), PASSWORD, "127.0.0.1", ApiLimits.defaults().withLogins(logins));
    }

    @AfterEach
    void stop() {
        if (daemon != null) daemon.close();
        org.flotilla.TestDomainIds.removeTaps(dir);
    }

    /** A client of the daemon connecting from {@code address}. */
    Rpc from(String address) {
        try {
            return new RemoteRpc(URI.create("https://127.0.0.1:" + daemon.httpsPort() + "/"), true, InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client with its connection made (TLS handshake done), so that what is timed next is the call alone. */
    static Rpc connected(Rpc rpc) {
        call(rpc, "system.listMethods");
        return rpc;
    }

    static Object call(Rpc rpc, String method, Object... params) { return rpc.call(method, new ArrayList<>(Arrays.asList(params))); }

    static ApiError wrongLogin(Rpc rpc, String user) {
        return assertThrows(ApiError.class, () -> call(rpc, "session.login_with_password", user, "not the password"));
    }

    static double millis(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(List<Double> xs) {
        var sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static LoginThrottle.Config withDelays(long firstMillis, long maxMillis) {
        return LoginThrottle.Config.defaults().withFailureDelays(Duration.ofMillis(firstMillis), Duration.ofMillis(maxMillis));
    }

    @Test
    void aFloodOfWrongLoginsLeavesOtherCallsAndLoginsFast() throws Exception {
        // failures answered almost at once, so that the flood keeps the password checks as busy as it can
        start(withDelays(5, 10));
        Rpc rpc = connected(from("127.0.0.1"));
        String session = (String) call(rpc, "session.login_with_password", "root", PASSWORD);
        String host = daemon.node().hostRef();
        Runnable getter = () -> call(rpc, "host.get_name_label", session, host);
        for (int i = 0; i < 200; i++) getter.run();
        var quiet = new ArrayList<Double>();
        for (int i = 0; i < 200; i++) quiet.add(millis(getter));
        var quietLogins = new ArrayList<Double>();
        for (int i = 0; i < 3; i++) quietLogins.add(millis(() -> call(rpc, "session.login_with_password", "root", PASSWORD)));

        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        var attempts = new AtomicInteger();
        var flooders = new ArrayList<Thread>();
        for (int i = 0; i < 16; i++) {
            Rpc attacker = connected(from("127.0.0." + (2 + i)));
            flooders.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    wrongLogin(attacker, "root");
                    attempts.incrementAndGet();
                }
            }));
        }
        Thread.sleep(500);
        var loaded = new ArrayList<Double>();
        double login = 0;
        long midway = end - Duration.ofMillis(1200).toNanos();
        while (System.nanoTime() < end - Duration.ofMillis(200).toNanos()) {
            loaded.add(millis(getter));
            if (login == 0 && System.nanoTime() > midway) login = millis(() -> call(rpc, "session.login_with_password", "root", PASSWORD));
            Thread.sleep(5);
        }
        for (Thread t : flooders) t.join();

        assertTrue(attempts.get() > 32, "the flood ran: " + attempts + " wrong logins");
        double before = median(quiet);
        double during = median(loaded);
        assertTrue(during <= Math.max(5, 4 * before), "getter median " + during + " ms during the flood, " + before + " ms before");
        double usual = median(quietLogins);
        assertTrue(login > 0 && login <= 3 * usual + 100, "a real login took " + login + " ms during the flood, " + usual + " ms before");
    }

    @Test
    void unknownUsersCostWhatWrongPasswordsCost() {
        start(withDelays(0, 0));
        Rpc rpc = connected(from("127.0.0.1"));
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED", "admin", "Authentication failure"), wrongLogin(rpc, "admin").description());
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"), wrongLogin(rpc, "root").description());
        var unknown = new ArrayList<Double>();
        var known = new ArrayList<Double>();
        for (int i = 0; i < 7; i++) {
            unknown.add(millis(() -> wrongLogin(rpc, "admin")));
            known.add(millis(() -> wrongLogin(rpc, "root")));
        }
        assertTrue(median(unknown) >= 0.6 * median(known),
                "an unknown user fails in " + median(unknown) + " ms, a wrong password in " + median(known) + " ms");
    }

    @Test
    void failuresFromOneAddressBackOffAndASuccessResetsThem() {
        start(withDelays(100, 400));
        Rpc first = connected(from("127.0.0.2"));
        Rpc second = connected(from("127.0.0.3"));
        var delays = new ArrayList<Double>();
        for (int i = 0; i < 4; i++) delays.add(millis(() -> wrongLogin(first, "root")));
        assertTrue(delays.get(0) >= 100 && delays.get(1) >= 200 && delays.get(2) >= 400 && delays.get(3) >= 400, delays.toString());
        assertTrue(delays.get(3) < 400 + 400, "the delay stops growing: " + delays);

        double elsewhere = millis(() -> wrongLogin(second, "root"));
        assertTrue(elsewhere >= 100 && elsewhere < 400, "another address has failures of its own: " + elsewhere + " ms");

        double success = millis(() -> call(first, "session.login_with_password", "root", PASSWORD));
        assertTrue(success < 300, "a right password is not delayed: " + success + " ms");
        double afresh = millis(() -> wrongLogin(first, "root"));
        assertTrue(afresh >= 100 && afresh < 400, "a success starts the count again: " + afresh + " ms");
    }
}
