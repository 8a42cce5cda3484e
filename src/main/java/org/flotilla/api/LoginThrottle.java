package org.flotilla.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Password checks for logins, kept from starving the API. A check costs tens of milliseconds of CPU (PBKDF2) and
 * every call runs on virtual threads that share a carrier per core: a few dozen checks at once would hold every
 * carrier, so checks run instead on a few platform threads of their own (XAPI likewise bounds its PAM threads),
 * leaving the rest of the machine to other calls. Checks from addresses that failed recently wait behind the others.
 * A failure is answered only after a delay that doubles with each consecutive failure from the same address
 * (XAPI sleeps 5 s after every failure), and one address has only a few logins outstanding at once; more fail at
 * the same delay without a check. IPv6 addresses count by their /64, which one client usually holds whole.
 */
public final class LoginThrottle implements AutoCloseable {
    /** The address given to calls made inside the daemon, which come from no network client. */
    public static final String IN_PROCESS = "in-process";

    /**
     * @param checkers                 threads checking passwords at once
     * @param firstFailureDelay        how long the first failure from an address waits before it is answered
     * @param maxFailureDelay          the most that delay grows to
     * @param maxOutstandingPerAddress logins one address may have in progress at once
     * @param forgetAfter              how long an address's failures are remembered after its last login
     */
    public record Config(int checkers, Duration firstFailureDelay, Duration maxFailureDelay, int maxOutstandingPerAddress,
                         Duration forgetAfter) {
        public Config {
            if (checkers < 1 || maxOutstandingPerAddress < 1) throw new IllegalArgumentException("checkers and outstanding must be positive");
            if (firstFailureDelay.isNegative() || maxFailureDelay.compareTo(firstFailureDelay) < 0) {
                throw new IllegalArgumentException("failure delays " + firstFailureDelay + ".." + maxFailureDelay);
            }
        }

        /** Half the cores check passwords, so at least half the machine is left to everything else. */
        public static Config defaults() {
            return new Config(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), Duration.ofSeconds(1),
                    Duration.ofSeconds(16), 4, Duration.ofMinutes(10));
        }

        public Config withFailureDelays(Duration first, Duration max) {
            return new Config(checkers, first, max, maxOutstandingPerAddress, forgetAfter);
        }
    }

    private final Authenticator auth;
    private final Config config;
    private final ThreadPoolExecutor checkers;
    private final AtomicLong arrivals = new AtomicLong();
    /** Guarded by itself. */
    private final Map<String, Address> addresses = new HashMap<>();
    private long lastSweep = System.nanoTime();

    private static final class Address {
        int outstanding;
        int failures;
        long lastSeen = System.nanoTime();
    }

    /** One password check waiting for a thread: fewer recent failures first, then first come. */
    private record Check(int failures, long arrival, Runnable work) implements Runnable, Comparable<Check> {
        @Override public void run() { work.run(); }

        @Override
        public int compareTo(Check o) {
            return failures != o.failures ? Integer.compare(failures, o.failures) : Long.compare(arrival, o.arrival);
        }
    }

    public LoginThrottle(Authenticator auth, Config config) {
        this.auth = auth;
        this.config = config;
        this.checkers = new ThreadPoolExecutor(config.checkers(), config.checkers(), 0, TimeUnit.SECONDS,
                new PriorityBlockingQueue<>(), Thread.ofPlatform().daemon().name("password-check-", 0).factory());
    }

    /** Whether {@code password} is {@code user}'s, for a login from {@code clientAddress}; may wait, as said above. */
    public boolean authenticate(String clientAddress, String user, String password) {
        Address a;
        int failures;
        boolean admitted;
        synchronized (addresses) {
            sweep();
            a = addresses.computeIfAbsent(key(clientAddress), k -> new Address());
            a.lastSeen = System.nanoTime();
            failures = a.failures;
            admitted = a.outstanding < config.maxOutstandingPerAddress();
            a.outstanding++;
        }
        try {
            if (admitted && check(failures, () -> auth.authenticate(user, password))) {
                synchronized (addresses) { a.failures = 0; }
                return true;
            }
            long delay;
            synchronized (addresses) {
                if (admitted) a.failures++;
                delay = delayAfter(Math.max(1, a.failures));
            }
            Thread.sleep(delay);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            synchronized (addresses) {
                a.outstanding--;
                a.lastSeen = System.nanoTime();
            }
        }
    }

    private boolean check(int failures, BooleanSupplier work) throws InterruptedException {
        var result = new CompletableFuture<Boolean>();
        checkers.execute(new Check(failures, arrivals.getAndIncrement(), () -> {
            try {
                result.complete(work.getAsBoolean());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }));
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Milliseconds the {@code n}th consecutive failure waits. */
    private long delayAfter(int n) {
        long max = config.maxFailureDelay().toMillis();
        long delay = config.firstFailureDelay().toMillis();
        for (int i = 1; i < n && delay > 0 && delay < max; i++) delay *= 2;
        return Math.min(delay, max);
    }

    /** Forgets addresses with nothing in progress and no failure within forgetAfter, at most once a minute. */
    private void sweep() {
        long now = System.nanoTime();
        if (now - lastSweep < TimeUnit.MINUTES.toNanos(1)) return;
        lastSweep = now;
        long horizon = config.forgetAfter().toNanos();
        addresses.values().removeIf(a -> a.outstanding == 0 && (a.failures == 0 || now - a.lastSeen > horizon));
    }

    /** The address a limit applies to: the IP itself, or an IPv6 address's /64. */
    static String key(String clientAddress) {
        try {
            InetAddress ip = InetAddress.ofLiteral(clientAddress);
            if (ip instanceof Inet6Address) {
                byte[] b = ip.getAddress();
                java.util.Arrays.fill(b, 8, 16, (byte) 0);
                return InetAddress.getByAddress(b).getHostAddress() + "/64";
            }
            return ip.getHostAddress();
        } catch (IllegalArgumentException | java.net.UnknownHostException | NullPointerException e) {
            return String.valueOf(clientAddress);
        }
    }

    @Override
    public void close() { checkers.shutdownNow(); }
}
