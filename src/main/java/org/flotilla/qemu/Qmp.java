package org.flotilla.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A QMP client on a unix socket.
 *
 * <p>{@link #connect} waits for the socket to appear (QEMU just started), reads the greeting and
 * negotiates {@code qmp_capabilities}. {@link #execute} may be called from many threads at once:
 * every command carries an id and its answer is matched by id. A reader on a virtual thread
 * parses every message; events go to listeners (on one ordered virtual-thread dispatcher, so a
 * listener may itself call {@link #execute}) and into a bounded history that
 * {@link #awaitEvent(long, String, Predicate, Duration)} searches, so that an event racing the
 * command that caused it is not missed:
 *
 * <pre>{@code
 * long mark = qmp.eventMark();
 * qmp.execute("stop");
 * qmp.awaitEvent(mark, "STOP", e -> true, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>When QEMU exits or is killed the socket reaches EOF: every pending call, event wait and any
 * later call fails at once with a {@link QmpException}.
 */
public final class Qmp implements AutoCloseable {
    /** Timeout of {@link #execute(String, Map)} when none is given. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final int HISTORY = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final SocketChannel channel;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Consumer<QmpEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService dispatcher =
            Executors.newSingleThreadExecutor(Thread.ofVirtual().name("qmp-events").factory());
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final Object eventLock = new Object();
    private final ArrayDeque<QmpEvent> history = new ArrayDeque<>();
    private long eventSeq;
    private volatile QmpException closedBy;
    private final Thread reader;

    private record Pending(String command, CompletableFuture<JsonNode> result) {}

    private Qmp(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.reader = Thread.ofVirtual().name("qmp-reader " + socket.getFileName()).start(this::readLoop);
    }

    /** Connects to the QMP socket, waiting up to {@code timeout} for it to appear. */
    public static Qmp connect(Path socket, Duration timeout) throws IOException {
        return connect(socket, timeout, () -> false);
    }

    /**
     * Connects to the QMP socket, retrying until it accepts, {@code timeout} passes, or
     * {@code giveUp} says to stop (e.g. the QEMU process exited); then reads the greeting and
     * sends {@code qmp_capabilities}.
     */
    public static Qmp connect(Path socket, Duration timeout, BooleanSupplier giveUp) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        SocketChannel ch = null;
        while (ch == null) {
            if (Files.exists(socket)) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    c.connect(UnixDomainSocketAddress.of(socket));
                    ch = c;
                    break;
                } catch (IOException e) {
                    c.close();
                    last = e;
                }
            }
            if (giveUp.getAsBoolean()) {
                throw new QmpException("gave up connecting to QMP socket " + socket + " (QEMU exited?)", last);
            }
            if (System.nanoTime() > deadline) {
                throw new QmpException("QMP socket " + socket + " did not accept a connection within " + timeout, last);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpException("interrupted while connecting to " + socket, e);
            }
        }
        Qmp qmp = new Qmp(socket, ch);
        try {
            long left = Math.max(1, deadline - System.nanoTime());
            qmp.greeting.get(Math.max(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            qmp.execute("qmp_capabilities", Map.of(), Duration.ofNanos(Math.max(left, TimeUnit.SECONDS.toNanos(1))));
            return qmp;
        } catch (ExecutionException e) {
            qmp.close();
            throw asQmp(e.getCause(), "reading the QMP greeting on " + socket);
        } catch (TimeoutException e) {
            qmp.close();
            throw new QmpException("no QMP greeting on " + socket + " within " + timeout, e);
        } catch (InterruptedException e) {
            qmp.close();
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while connecting to " + socket, e);
        } catch (IOException | RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    /** The greeting QEMU sent ({@code {"QMP": {"version": ..., "capabilities": [...]}}}). */
    public JsonNode greeting() {
        return greeting.getNow(MissingNode.getInstance());
    }

    /** The socket this client is connected to. */
    public Path socket() {
        return socket;
    }

    /** Runs a command without arguments; see {@link #execute(String, Map, Duration)}. */
    public JsonNode execute(String command) throws QmpException {
        return execute(command, Map.of(), DEFAULT_COMMAND_TIMEOUT);
    }

    /** Runs a command; see {@link #execute(String, Map, Duration)}. */
    public JsonNode execute(String command, Map<String, ?> args) throws QmpException {
        return execute(command, args, DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * Runs a command and returns its {@code return} value.
     *
     * @param args the command's arguments (converted with Jackson; may be empty)
     * @throws QmpErrorException QEMU answered with an error (its class and desc are kept)
     * @throws QmpException the connection closed (QEMU exited) or no answer came within timeout
     */
    public JsonNode execute(String command, Map<String, ?> args, Duration timeout) throws QmpException {
        CompletableFuture<JsonNode> f = executeAsync(command, args);
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw asQmp(e.getCause(), "QMP command '" + command + "'");
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new QmpException("QMP command '" + command + "' got no answer within " + timeout + " on " + socket, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for QMP command '" + command + "'", e);
        }
    }

    /**
     * Sends a command and returns a future of its {@code return} value, completed exceptionally
     * with a {@link QmpErrorException} or a {@link QmpException}.
     */
    public CompletableFuture<JsonNode> executeAsync(String command, Map<String, ?> args) {
        Objects.requireNonNull(command, "command");
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("execute", command);
        if (args != null && !args.isEmpty()) {
            msg.set("arguments", JSON.valueToTree(args));
        }
        msg.put("id", id);
        pending.put(id, new Pending(command, result));
        result.whenComplete((r, t) -> pending.remove(id));
        QmpException closed = closedBy;
        if (closed != null) {
            result.completeExceptionally(closedException(command, closed));
            return result;
        }
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            result.completeExceptionally(new QmpException("cannot encode arguments of '" + command + "'", e));
            return result;
        }
        writeLock.lock();
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            shutdown(new QmpException("QMP connection " + socket + " closed while sending (QEMU gone?): " + e.getMessage(), e));
        } finally {
            writeLock.unlock();
        }
        // shutdown() may have run before we registered: fail now rather than wait for a timeout
        closed = closedBy;
        if (closed != null && !result.isDone()) {
            result.completeExceptionally(closedException(command, closed));
        }
        return result;
    }

    /** Adds a listener for every event; returns a handle that removes it. */
    public AutoCloseable addListener(Consumer<QmpEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The sequence number of the last event received so far (0 if none). */
    public long eventMark() {
        synchronized (eventLock) {
            return eventSeq;
        }
    }

    /** Events received so far that are still in the history (the last 1024), oldest first. */
    public java.util.List<QmpEvent> events() {
        synchronized (eventLock) {
            return java.util.List.copyOf(history);
        }
    }

    /** Waits for an event named {@code name} matching {@code match} that arrives after this call. */
    public QmpEvent awaitEvent(String name, Predicate<QmpEvent> match, Duration timeout) throws QmpException, TimeoutException {
        return awaitEvent(eventMark(), name, match, timeout);
    }

    /**
     * Waits for the first event with sequence number greater than {@code afterMark} (see
     * {@link #eventMark()}) named {@code name} and matching {@code match}; events already received
     * count. Fails at once with a {@link QmpException} if the connection closes without one.
     */
    public QmpEvent awaitEvent(long afterMark, String name, Predicate<QmpEvent> match, Duration timeout)
            throws QmpException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (eventLock) {
            while (true) {
                for (QmpEvent e : history) {
                    if (e.seq() > afterMark && e.name().equals(name) && (match == null || match.test(e))) {
                        return e;
                    }
                }
                if (closedBy != null) {
                    throw new QmpException("QMP connection closed while waiting for event " + name + ": " + closedBy.getMessage(), closedBy);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no QMP event " + name + " within " + timeout + " on " + socket);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(eventLock, left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new QmpException("interrupted while waiting for event " + name, ie);
                }
            }
        }
    }

    /**
     * A poll's pause that ends as soon as QEMU announces what the poll waits for: until an event after
     * {@code afterMark} that {@code match} takes has arrived (true), {@code timeout} has passed or the connection has
     * closed (false; the next command says why).
     */
    public boolean pauseUntil(long afterMark, Predicate<QmpEvent> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (eventLock) {
            while (true) {
                for (var it = history.descendingIterator(); it.hasNext(); ) {
                    QmpEvent e = it.next();
                    if (e.seq() <= afterMark) break;
                    if (match.test(e)) return true;
                }
                long left = deadline - System.nanoTime();
                if (closedBy != null || left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(eventLock, left);
            }
        }
    }

    /** True until the connection closes (by {@link #close()} or because QEMU went away). */
    public boolean isOpen() {
        return closedBy == null;
    }

    /** Closes the connection; pending calls fail. QEMU keeps running. */
    @Override
    public void close() {
        shutdown(new QmpException("QMP connection " + socket + " was closed by the client"));
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.shutdown();
    }

    // ---------------------------------------------------------------------------------------

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    shutdown(new QmpException("QMP connection " + socket + " closed by QEMU (QEMU exited or was killed)"));
                    return;
                }
                byte[] a = buf.array();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (a[i] == '\n') {
                        line.write(a, start, i - start);
                        handleLine(line.toByteArray());
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(a, start, n - start);
            }
        } catch (IOException e) {
            // ECONNRESET when QEMU dies with data unread; EBADF/AsynchronousClose after close()
            shutdown(new QmpException("QMP connection " + socket + " closed by QEMU (QEMU exited or was killed): "
                    + e.getMessage(), e));
        } catch (RuntimeException e) {
            shutdown(new QmpException("QMP reader on " + socket + " failed: " + e, e));
        }
    }

    private void handleLine(byte[] bytes) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return;
        }
        JsonNode msg = JSON.readTree(text);
        if (msg.has("QMP")) {
            greeting.complete(msg);
        } else if (msg.has("event")) {
            onEvent(msg);
        } else if (msg.has("return") || msg.has("error")) {
            JsonNode id = msg.get("id");
            Pending p = id == null ? null : pending.get(id.asLong());
            if (p == null) {
                return; // answer to a cancelled/timed-out call, or to a message without id
            }
            JsonNode err = msg.get("error");
            if (err != null) {
                p.result().completeExceptionally(
                        new QmpErrorException(p.command(), err.path("class").asText("?"), err.path("desc").asText("")));
            } else {
                p.result().complete(msg.get("return"));
            }
        }
    }

    private void onEvent(JsonNode msg) {
        JsonNode ts = msg.path("timestamp");
        Instant when = Instant.ofEpochSecond(ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000);
        JsonNode data = msg.has("data") ? msg.get("data") : MissingNode.getInstance();
        QmpEvent event;
        synchronized (eventLock) {
            event = new QmpEvent(++eventSeq, msg.path("event").asText(), data, when);
            history.addLast(event);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            eventLock.notifyAll();
        }
        if (!listeners.isEmpty()) {
            try {
                dispatcher.execute(() -> {
                    for (Consumer<QmpEvent> l : listeners) {
                        try {
                            l.accept(event);
                        } catch (RuntimeException e) {
                            System.getLogger(Qmp.class.getName())
                                    .log(System.Logger.Level.WARNING, "QMP event listener failed on " + event.name(), e);
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private void shutdown(QmpException cause) {
        synchronized (eventLock) {
            if (closedBy != null) {
                return;
            }
            closedBy = cause;
            eventLock.notifyAll();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        greeting.completeExceptionally(cause);
        for (Pending p : pending.values()) {
            p.result().completeExceptionally(closedException(p.command(), cause));
        }
        pending.clear();
    }

    private static QmpException closedException(String command, QmpException cause) {
        return new QmpException("QMP command '" + command + "' failed: " + cause.getMessage(), cause);
    }

    private static QmpException asQmp(Throwable t, String what) {
        if (t instanceof QmpErrorException e) {
            return new QmpErrorException(e.command(), e.errorClass(), e.desc());
        }
        if (t instanceof QmpException e) {
            return new QmpException(e.getMessage(), e);
        }
        return new QmpException(what + " failed: " + t, t);
    }
}
