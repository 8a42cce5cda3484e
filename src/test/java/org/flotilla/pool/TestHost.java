package org.flotilla.pool;

import static org.flotilla.TestTimeouts.LOADED;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.flotilla.TestCommand;
import org.flotilla.TestDaemonJvm;
import org.flotilla.TestDomainIds;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Main;
import org.flotilla.model.ApiError;
import org.flotilla.qemu.TestGuest;

/**
 * One host of a pool test: a real daemon process ({@code flotilla serve}) in the host's namespace of a
 * {@link TestNetwork}, on its own state directory (and so its own database and TLS certificate), serving HTTPS
 * on port {@value #PORT} of its own address, with a client logged in as root. The daemon can be killed and
 * started again on the same state; its log is kept beside the state directory across restarts.
 */
public final class TestHost {
    public static final int PORT = 443;
    private static final Duration START = Duration.ofSeconds(30L * LOADED);
    private static final Duration STOP = Duration.ofSeconds(10);

    private final TestNetwork network;
    private final int index;
    private final Path stateDir;
    private final Path log;
    private final Path passwordFile;
    private final String password;
    private final List<Long> daemonPids = new CopyOnWriteArrayList<>();
    private volatile Process daemon;
    private volatile Rpc rpc;
    private volatile String session;
    private volatile String hostRef;
    private volatile String uuid;

    TestHost(TestNetwork network, int index, Path passwordFile, String password) {
        this.network = network;
        this.index = index;
        Path dir = network.dir().resolve("h" + index);
        this.stateDir = dir.resolve("state");
        this.log = dir.resolve("daemon.log");
        this.passwordFile = passwordFile;
        this.password = password;
    }

    /** Starts the daemon process; {@link #awaitServing()} waits for it. */
    void launch() { launch(List.of()); }

    /** Starts the daemon process with JVM options besides every host's (system properties: -Dflotilla....). */
    void launch(List<String> daemonOptions) {
        if (isAlive()) throw new IllegalStateException(name() + "'s daemon is running");
        TestDomainIds.seed(stateDir); // own domain ids, so the VMs' jail uids differ from the other hosts'
        String java = ProcessHandle.current().info().command().orElse("java");
        // bin/flotilla's heap and collector; C1 alone unless a bench asks for the JIT as deployed (see TestDaemonJvm)
        var cmd = new ArrayList<>(List.of(java));
        cmd.addAll(TestDaemonJvm.options());
        cmd.addAll(List.of("-Dflotilla.guest=" + TestGuest.DIR,
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        cmd.addAll(daemonOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--state-dir", stateDir.toString(), "--port", Integer.toString(PORT),
                "--bind", address(), "--address", address(), "--root-password-file", passwordFile.toString()));
        try {
            daemon = new ProcessBuilder(network.onHost(index, cmd)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemonPids.add(daemon.pid());
    }

    /** Waits until the daemon answers session.login_with_password over HTTPS at its address, and keeps that session. */
    public void awaitServing() throws InterruptedException {
        var client = RemoteRpc.of(address(), PORT, true);
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            try {
                session = (String) client.call("session.login_with_password", args("root", password));
                break;
            } catch (ApiError e) {
                if (!e.code().equals("INTERNAL_ERROR") || !String.valueOf(e.params()).contains("cannot reach")) throw e;
            }
            if (!daemon.isAlive()) throw new AssertionError(name() + "'s daemon exited (" + daemon.exitValue() + "):\n" + log());
            if (System.nanoTime() > deadline) throw new AssertionError(name() + "'s daemon did not serve within " + START + ":\n" + log());
            Thread.sleep(50);
        }
        rpc = bounded(client);
        hostRef = (String) call("session.get_this_host", session);
        uuid = (String) call("host.get_uuid", hostRef);
        try {
            Files.writeString(stateDir.resolveSibling(TestLeftovers.HOST_UUID), uuid); // whoever cleans up finds its VMs' cgroups by it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL to the daemon, and waits until it is gone. Its VMs keep running, as on a real host. */
    public void kill() throws InterruptedException {
        Process p = daemon;
        if (p != null && !p.destroyForcibly().waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(name() + "'s daemon (pid " + p.pid() + ") outlived SIGKILL");
        }
    }

    /** Starts the daemon again on its state directory and waits until it serves; a new session replaces the old. */
    public void restart() throws InterruptedException {
        launch();
        awaitServing();
    }

    /** SIGTERM (the daemon closes its database), SIGKILL if it takes longer than a few seconds. */
    void stop() throws InterruptedException {
        Process p = daemon;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) kill();
    }

    /** Hard-shuts every VM that has a QEMU, through the API: a stopped daemon leaves its VMs running. */
    void shutDownVms() {
        @SuppressWarnings("unchecked")
        var vms = (Map<String, Map<String, Object>>) call("VM.get_all_records");
        vms.forEach((ref, vm) -> {
            if (Boolean.TRUE.equals(vm.get("is_a_template")) || !List.of("Running", "Paused").contains(vm.get("power_state"))) return;
            try {
                call("VM.hard_shutdown", ref);
            } catch (ApiError e) {
                // the backstop kills its QEMU
            }
        });
    }

    /** Calls {@code method} in root's session (put first, unless the method is a login). */
    public Object call(String method, Object... params) {
        var a = new ArrayList<>();
        if (!method.startsWith("session.login") && !method.startsWith("session.slave_login")) a.add(session);
        a.addAll(Arrays.asList(params));
        return rpc.call(method, a);
    }

    /** The longest a test waits for one call's answer: a call no host ever answers fails its test, not the whole run. */
    private static final java.time.Duration CALL_LIMIT = java.time.Duration.ofMinutes(5);

    private Rpc bounded(Rpc client) {
        return (method, params) -> {
            var answer = new java.util.concurrent.CompletableFuture<Object>();
            Thread.ofVirtual().name(name() + "-call").start(() -> {
                try {
                    answer.complete(client.call(method, params));
                } catch (Throwable t) {
                    answer.completeExceptionally(t);
                }
            });
            try {
                return answer.get(CALL_LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(this + " did not answer " + method + " within " + CALL_LIMIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while " + this + " answered " + method);
            }
        };
    }

    /** The client of this host's XenAPI (XML-RPC over HTTPS). */
    public Rpc rpc() { return rpc; }

    /** Root's session on the daemon now running. */
    public String session() { return session; }

    /** Root's password, the same on every host. */
    public String password() { return password; }

    /** This host's reference in its own database. */
    public String hostRef() { return hostRef; }

    /** This host's uuid, as its database has it. */
    public String uuid() { return uuid; }

    public int index() { return index; }

    /** The hostname, the host's own (host&lt;i&gt;). */
    public String name() { return network.hostname(index); }

    public String address() { return network.address(index); }

    public String namespace() { return network.namespace(index); }

    public Path stateDir() { return stateDir; }

    /** What the daemon printed, every start of it. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    public boolean isAlive() { return daemon != null && daemon.isAlive(); }

    /** The daemon's pid now. */
    public long pid() { return daemon.pid(); }

    /** The pids of every daemon process this host has had. */
    public List<Long> daemonPids() { return List.copyOf(daemonPids); }

    public void cutLink() { network.cutLink(index); }

    public void restoreLink() { network.restoreLink(index); }

    /** Runs {@code cmd} on this host (its namespace, hostname and cgroups) to its end. */
    public TestCommand.Result exec(String... cmd) { return network.exec(index, cmd); }

    /** Whether a TCP connection from this host to {@code address}:{@code port} opens within two seconds. */
    public boolean canConnect(String address, int port) { return network.canConnect(index, address, port); }

    /** Whether the test JVM (root namespace) opens a TCP connection to this host's API within two seconds. */
    public boolean reachableFromTest() {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress(address(), PORT), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Object> args(Object... a) { return new ArrayList<>(List.of(a)); }

    @Override
    public String toString() { return name() + " (" + address() + ")"; }
}
