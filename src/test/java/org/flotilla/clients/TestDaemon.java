package org.flotilla.clients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.flotilla.daemon.Daemon;
import org.flotilla.qemu.TestGuest;
import org.flotilla.server.ApiServerConfig;
import org.flotilla.vm.Templates;

/** A daemon on loopback with an ephemeral HTTPS port and its own state directory, removed on close. */
final class TestDaemon implements AutoCloseable {
    static final String PASSWORD = "xenroot-test";
    final Path stateDir;
    final Daemon daemon;

    private String session;

    TestDaemon() throws IOException, InterruptedException {
        ensureTestGuest();
        stateDir = Files.createTempDirectory("flotilla-daemon");
        org.flotilla.TestDomainIds.seed(stateDir);
        daemon = Daemon.start(stateDir, ApiServerConfig.loopbackEphemeral(), PASSWORD, "127.0.0.1");
    }

    String url() { return "https://127.0.0.1:" + daemon.httpsPort(); }

    /** Calls the daemon in process, as root. */
    Object rpc(String method, Object... params) {
        if (session == null) session = (String) daemon.node().rpc().call("session.login_with_password", new ArrayList<>(List.of("root", PASSWORD)));
        var args = new ArrayList<Object>();
        args.add(session);
        args.addAll(Arrays.asList(params));
        return daemon.node().rpc().call(method, args);
    }

    /** Installs a VM from the test guest template, as xe vm-install does, and returns its uuid. */
    String installTestGuest(String name) {
        String template = (String) ((List<?>) rpc("VM.get_by_name_label", Templates.TEST_GUEST_NAME)).getFirst();
        String vm = (String) rpc("VM.clone", template, name);
        rpc("VM.provision", vm);
        return (String) rpc("VM.get_uuid", vm);
    }

    /** Builds the project's test guest if this checkout has not yet (scripts/test.sh normally has). */
    static void ensureTestGuest() throws IOException, InterruptedException { TestGuest.ensureBuilt(); }

    @Override
    public void close() throws IOException {
        for (var vm : daemon.node().db().where("VM", o -> !o.bool("is_control_domain") && !"Halted".equals(o.get("power_state")))) {
            try { rpc("VM.hard_shutdown", vm.ref()); } catch (RuntimeException alreadyDown) { /* best effort */ }
        }
        daemon.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
