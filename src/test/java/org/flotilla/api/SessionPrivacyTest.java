package org.flotilla.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.ApiError;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's reference is its credential: two clients of a real daemon over HTTPS, and what one can learn of or do
 * to the other's session (nothing), through events, the session's own messages and logout.
 */
@Slow
class SessionPrivacyTest {
    static final String PASSWORD = "privacy-test-password";
    @TempDir static Path dir;
    static Daemon daemon;
    Rpc alice;
    Rpc bob;
    String aliceSession;
    String bobSession;

    @BeforeAll
    static void start() {
        org.flotilla.TestDomainIds.seed(dir);
        daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), PASSWORD, "127.0.0.1");
    }

    @AfterAll
    static void stop() {
        if (daemon != null) daemon.close();
        org.flotilla.TestDomainIds.removeTaps(dir);
    }

    @BeforeEach
    void logIn() {
        URI uri = URI.create("https://127.0.0.1:" + daemon.httpsPort() + "/");
        alice = new RemoteRpc(uri, true);
        bob = new RemoteRpc(uri, true);
        aliceSession = (String) call(alice, "session.login_with_password", "root", PASSWORD, "1.1", "alice's script");
        bobSession = (String) call(bob, "session.login_with_password", "root", PASSWORD, "1.1", "bob's script");
    }

    static Object call(Rpc rpc, String method, Object... params) { return rpc.call(method, new ArrayList<>(Arrays.asList(params))); }

    static ApiError fails(Rpc rpc, String method, Object... params) { return assertThrows(ApiError.class, () -> call(rpc, method, params)); }

    @Test
    void eventsShowNoSessionNorSecret() {
        String secretValue = "vtpm-state-" + Refs.newUuid();
        daemon.node().db().write(tx -> tx.put("secret", Refs.newRef(), Map.of("uuid", Refs.newUuid(), "value", secretValue)));
        String bobUuid = (String) call(bob, "session.get_uuid", bobSession, bobSession);

        @SuppressWarnings("unchecked")
        var sessions = (Map<String, Object>) call(alice, "event.from", aliceSession, List.of("session", "secret"), "", 0.1);
        assertEquals(List.of(), sessions.get("events"));
        @SuppressWarnings("unchecked")
        var all = (Map<String, Object>) call(alice, "event.from", aliceSession, List.of("*"), "", 0.1);
        assertFalse(((List<?>) all.get("events")).isEmpty(), "other classes still have events");
        String everything = all.toString();
        assertFalse(everything.contains(bobSession), "event.from(*) names another session");
        assertFalse(everything.contains(bobUuid));
        assertFalse(everything.contains(secretValue), "event.from(*) shows a secret's value");

        call(alice, "event.register", aliceSession, List.of("*"));
        daemon.node().db().write(tx -> tx.put("secret", Refs.newRef(), Map.of("uuid", Refs.newUuid(), "value", secretValue)));
        call(bob, "host.set_name_description", bobSession, daemon.node().hostRef(), "changed");
        String next = call(alice, "event.next", aliceSession).toString();
        assertTrue(next.contains("changed"), next);
        assertFalse(next.contains(secretValue) || next.contains(bobSession), next);
    }

    @Test
    void aSessionReachesOnlyItself() {
        String bobUuid = (String) call(bob, "session.get_uuid", bobSession, bobSession);
        assertEquals(List.of("HANDLE_INVALID", "session", bobSession), fails(alice, "session.get_record", aliceSession, bobSession).description());
        assertEquals(List.of("HANDLE_INVALID", "session", bobSession), fails(alice, "session.get_originator", aliceSession, bobSession).description());
        assertEquals(List.of("HANDLE_INVALID", "session", bobSession),
                fails(alice, "session.add_to_other_config", aliceSession, bobSession, "k", "v").description());
        assertEquals(List.of("UUID_INVALID", "session", bobUuid), fails(alice, "session.get_by_uuid", aliceSession, bobUuid).description());

        @SuppressWarnings("unchecked")
        var own = (Map<String, Object>) call(alice, "session.get_record", aliceSession, aliceSession);
        assertEquals("alice's script", own.get("originator"));
        assertEquals(aliceSession, call(alice, "session.get_by_uuid", aliceSession, own.get("uuid")));
        assertEquals(Map.of(), call(bob, "session.get_other_config", bobSession, bobSession));

        call(alice, "session.logout", aliceSession);
        assertEquals(List.of("SESSION_INVALID", aliceSession), fails(alice, "pool.get_all", aliceSession).description());
        assertEquals(1, ((List<?>) call(bob, "pool.get_all", bobSession)).size(), "another's logout leaves this session be");
    }
}
