package org.flotilla.runtime.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flotilla.api.HttpRefusal;
import org.flotilla.model.ApiError;
import org.flotilla.os.HostCommand;

/**
 * Logins on this host, for its control domain's console: each connection gets a login program of its own on a
 * pseudo-terminal of its own, which asks for the host's credentials as its text console would ({@code /bin/login}, on a
 * terminal that util-linux's {@code script} makes and joins to a pipe; a vt100 of 80×24). At most {@link #MOST} run at
 * once; each ends, with everything started under it, when its connection ends ({@link HostLogin#close}). They run as
 * the daemon's user, outside any VM's jail: what keeps a client from them is the pool-admin session that the console
 * asks first ({@link ConsoleLookup}).
 */
public final class HostLogins implements AutoCloseable {
    /** Logins open at once, at the most: each is a few processes, and a login a client leaves waiting holds one for a minute. */
    static final int MOST = 4;
    static final Path SCRIPT = Path.of("/usr/bin/script");
    static final Path LOGIN = Path.of("/bin/login");

    private final Semaphore free = new Semaphore(MOST);
    private final Set<HostLogin> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A new login for one connection; refused with 503 when {@link #MOST} are open, 404 where the host has no login program. */
    HostLogin open() {
        for (Path program : List.of(SCRIPT, LOGIN)) {
            if (!Files.isExecutable(program)) {
                throw new HttpRefusal(404, ApiError.internal("the host's console is not available: " + program + " is missing"));
            }
        }
        if (closed || !free.tryAcquire()) {
            throw new HttpRefusal(503, ApiError.of("OPERATION_NOT_ALLOWED", "the host's console has " + MOST + " logins open, as many as it serves at once"));
        }
        try {
            // script runs its command through $SHELL; stty makes the terminal a vt100's size (a pipe has none to copy)
            var pb = HostCommand.of(List.of(SCRIPT.toString(), "--quiet", "--command", "stty rows 24 cols 80; exec " + LOGIN, "/dev/null"))
                    .redirectErrorStream(true);
            pb.environment().put("SHELL", "/bin/sh");
            pb.environment().put("TERM", "vt100");
            var login = new HostLogin(pb.start(), this::ended);
            open.add(login);
            if (closed) login.close();
            return login;
        } catch (IOException e) {
            free.release();
            throw new HttpRefusal(500, ApiError.internal("the host's console did not start: " + e.getMessage()));
        }
    }

    private void ended(HostLogin login) {
        if (open.remove(login)) free.release();
    }

    /** Ends every login open, and waits (a little longer than a hang-up takes) until they are gone: the daemon is stopping. */
    @Override
    public void close() {
        closed = true;
        var ending = open.stream().peek(HostLogin::close).map(HostLogin::ended).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ending).get(HostLogin.GRACE.toMillis() + 3000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // what is left was sent SIGKILL; it is no longer the daemon's to wait for
        }
    }
}
