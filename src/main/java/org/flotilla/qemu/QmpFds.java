package org.flotilla.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.flotilla.os.Fd;
import org.flotilla.os.FdSocket;
import org.flotilla.os.OsException;

/**
 * QEMU's second monitor, through which the daemon hands a running QEMU descriptors (QMP {@code add-fd} and
 * {@code getfd}, the descriptors riding along as SCM_RIGHTS) — the JDK's unix channels that carry the main
 * monitor cannot send them. A short session per use; fdsets outlive it (they belong to QEMU), names from
 * {@code getfd} are this monitor's own, so the command that takes one runs in the same session.
 *
 * <p>The calls block in native code, so they run on a platform thread of their own rather than pin a
 * virtual thread's carrier.
 */
public final class QmpFds {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("qmp-fds-", 0).factory());
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What one session does. */
    public interface Work<T> { T run(Session s) throws IOException; }

    /** Connects to the monitor at {@code socket}, negotiates, runs {@code work}, and disconnects. */
    public static <T> T session(Path socket, Work<T> work) throws QmpException {
        try {
            return BLOCKING.submit(() -> {
                try (var s = new Session(FdSocket.connect(socket), socket)) {
                    s.greet();
                    return work.run(s);
                }
            }).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof QmpException q) throw q;
            throw new QmpException("QMP descriptor monitor " + socket + ": " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted on " + socket, e);
        }
    }

    /** One connection to the descriptor monitor. */
    public static final class Session implements AutoCloseable {
        private final FdSocket socket;
        private final Path path;
        private long ids;

        private Session(FdSocket socket, Path path) {
            this.socket = socket;
            this.path = path;
        }

        private void greet() throws IOException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String line = socket.readLine(deadline);
            if (line == null || !JSON.readTree(line).has("QMP")) throw new QmpException("no QMP greeting on " + path);
            execute("qmp_capabilities", Map.of(), List.of());
        }

        /**
         * Puts {@code fds} in one new fdset ({@code /dev/fdset/N}) tagged {@code opaque}; returns N. Several
         * descriptors of one file (read-only and read-write) let QEMU reopen it either way.
         */
        public int addFdset(List<Fd> fds, String opaque) throws IOException {
            Integer set = null;
            for (Fd fd : fds) {
                var args = new java.util.LinkedHashMap<String, Object>();
                if (set != null) args.put("fdset-id", set);
                args.put("opaque", opaque);
                set = execute("add-fd", args, List.of(fd)).path("fdset-id").asInt();
            }
            if (set == null) throw new IllegalArgumentException("an fdset needs a descriptor");
            return set;
        }

        /** Gives QEMU {@code fd} under {@code name}, for a command of this session to take (netdev_add fd=name). */
        public void getfd(String name, Fd fd) throws IOException { execute("getfd", Map.of("fdname", name), List.of(fd)); }

        /** A command on this monitor; events it sees meanwhile are skipped (the main monitor has them too). */
        public JsonNode execute(String command, Map<String, ?> args, List<Fd> fds) throws IOException {
            return execute(command, args, fds, TIMEOUT);
        }

        /** {@link #execute(String, Map, List)}, waiting up to {@code timeout} for the answer. */
        public JsonNode execute(String command, Map<String, ?> args, List<Fd> fds, Duration timeout) throws IOException {
            long id = ++ids;
            ObjectNode msg = JSON.createObjectNode();
            msg.put("execute", command);
            if (!args.isEmpty()) msg.set("arguments", JSON.valueToTree(args));
            msg.put("id", id);
            socket.send((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8), fds);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String line;
                try {
                    line = socket.readLine(deadline);
                } catch (OsException e) {
                    throw new QmpException("QMP command '" + command + "' on " + path + ": " + e.getMessage(), e);
                }
                if (line == null) throw new QmpException("QMP descriptor monitor " + path + " closed during '" + command + "'");
                if (line.isBlank()) continue;
                JsonNode reply = JSON.readTree(line);
                if (reply.path("id").asLong(-1) != id) continue;
                JsonNode err = reply.get("error");
                if (err != null) throw new QmpErrorException(command, err.path("class").asText("?"), err.path("desc").asText(""));
                return reply.path("return");
            }
        }

        @Override
        public void close() { socket.close(); }
    }

    private QmpFds() {}
}
