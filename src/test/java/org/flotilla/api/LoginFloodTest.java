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
import org.flotilla.Slow;
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
@Slow
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

    /** Latencies of {@code call}, made every 5 ms from {@code from} until {@code until} (System.nanoTime). */
    static List<Double> latencies(Runnable call, long from, long until) throws InterruptedException {
        var out = new ArrayList<Double>();
        while (System.nanoTime() < until) {
            double ms = millis(call);
            if (System.nanoTime() > from) out.add(ms);
            Thread.sleep(5);
        }
        return out;
    }

    static long inMillis(long ms) { return System.nanoTime() + Duration.ofMillis(ms).toNanos(); }

    @Test
    void aFloodOfWrongLoginsLeavesOtherCallsAndLoginsFast() throws Exception {
        // failures answered almost at once, so that the flood keeps the password checks as busy as it can
        LoginThrottle.Config logins = withDelays(5, 10);
        start(logins);
        Rpc rpc = connected(from("127.0.0.1"));
        String session = (String) call(rpc, "session.login_with_password", "root", PASSWORD);
        String host = daemon.node().hostRef();
        Runnable getter = () -> call(rpc, "host.get_name_label", session, host);
        for (int i = 0; i < 200; i++) getter.run();
        double quiet = median(latencies(getter, 0, inMillis(1000)));
        var quietLogins = new ArrayList<Double>();
        for (int i = 0; i < 3; i++) quietLogins.add(millis(() -> call(rpc, "session.login_with_password", "root", PASSWORD)));

        // what the password checks may cost the others at most: as many cores kept busy as there are checkers
        long controlEnd = inMillis(1500);
        var burners = new ArrayList<Thread>();
        for (int i = 0; i < logins.checkers(); i++) {
            burners.add(Thread.ofPlatform().start(() -> {
                for (long x = 0; System.nanoTime() < controlEnd; x++) Math.sqrt(x);
            }));
        }
        double busyCores = median(latencies(getter, inMillis(300), controlEnd));
        for (Thread t : burners) t.join();

        var attackers = new ArrayList<Rpc>();
        for (int i = 0; i < 16; i++) attackers.add(connected(from("127.0.0." + (2 + i))));
        long end = inMillis(3000);
        var attempts = new AtomicInteger();
        var flooders = new ArrayList<Thread>();
        for (Rpc attacker : attackers) {
            flooders.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    wrongLogin(attacker, "root");
                    attempts.incrementAndGet();
                }
            }));
        }
        double during = median(latencies(getter, inMillis(500), end - Duration.ofMillis(1200).toNanos()));
        double login = millis(() -> call(rpc, "session.login_with_password", "root", PASSWORD));
        for (Thread t : flooders) t.join();

        System.out.printf("getter median: %.1f ms quiet, %.1f ms with %d busy cores, %.1f ms during %d wrong logins; a login %.0f ms during, %.0f ms before%n",
                quiet, busyCores, logins.checkers(), during, attempts.get(), login, median(quietLogins));
        assertTrue(attempts.get() > 32, "the flood ran: " + attempts + " wrong logins");
        assertTrue(during <= Math.max(5, 2 * busyCores + 1),
                "getter median " + during + " ms during the flood; " + quiet + " ms on a quiet host, " + busyCores + " ms with busy cores");
        double usual = median(quietLogins);
        assertTrue(login <= 3 * usual + 100, "a real login took " + login + " ms during the flood, " + usual + " ms before");
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
