package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.xensource.xenapi.APIVersion;
import com.xensource.xenapi.Connection;
import com.xensource.xenapi.Event;
import com.xensource.xenapi.Host;
import com.xensource.xenapi.Pool;
import com.xensource.xenapi.Session;
import com.xensource.xenapi.Types;
import com.xensource.xenapi.VM;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.flotilla.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The XenServer Java SDK 8.1.0, a client written by others, against a daemon over TLS. */
@Slow
class JavaSdkClientTest {
    static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
        // The host's certificate is self-signed, as on a fresh XenServer: the SDK's users trust it by hand.
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        HttpsURLConnection.setDefaultSSLSocketFactory(ctx.getSocketFactory());
        HttpsURLConnection.setDefaultHostnameVerifier((h, s) -> true);
    }

    @AfterAll
    static void stop() throws Exception { daemon.close(); }

    Session session;

    Connection connect() throws Exception {
        var conn = new Connection(URI.create(daemon.url()).toURL());
        session = Session.loginWithPassword(conn, "root", TestDaemon.PASSWORD, APIVersion.latest().toString());
        return conn;
    }

    @Test
    void logsInAndReadsThePool() throws Exception {
        Connection conn = connect();
        Host host = session.getThisHost(conn);
        assertEquals(2L, host.getAPIVersionMajor(conn));
        assertTrue(host.getAPIVersionMinor(conn) >= 0);
        assertEquals(daemon.daemon.node().hostRef(), host.toWireString());
        var pools = Pool.getAllRecords(conn);
        assertEquals(1, pools.size());
        assertEquals(host, pools.values().iterator().next().master);
        var vms = VM.getAllRecords(conn);
        assertTrue(vms.values().stream().anyMatch(r -> r.isControlDomain && r.powerState == Types.VmPowerState.RUNNING));
        assertFalse(host.getSoftwareVersion(conn).get("product_version").isEmpty());
        Session.logout(conn);
    }

    @Test
    void setsAFieldAndSeesItAsAnEvent() throws Exception {
        Connection conn = connect();
        Host host = Host.getAll(conn).iterator().next();
        var first = Event.from(conn, Set.of("host"), "", 1.0);
        host.setNameDescription(conn, "set through the Java SDK");
        var next = Event.from(conn, Set.of("host"), first.token, 5.0);
        assertEquals(1, next.events.size());
        var ev = next.events.iterator().next();
        assertEquals("host", ev.clazz);
        assertEquals(Types.EventOperation.MOD, ev.operation);
        assertEquals("set through the Java SDK", host.getNameDescription(conn));
    }

    @Test
    void drivesARealVmAndSeesEveryPowerStateAsAnEvent() throws Exception {
        Connection conn = connect();
        VM vm = VM.getByUuid(conn, daemon.installTestGuest("java sdk"));
        String token = Event.from(conn, Set.of("vm"), "", 0.0).token;
        var seen = new java.util.ArrayList<Types.VmPowerState>();
        vm.start(conn, false, false);
        token = awaitPowerState(conn, vm, token, Types.VmPowerState.RUNNING, seen);
        awaitGuestUp(vm.getUuid(conn));
        vm.pause(conn);
        token = awaitPowerState(conn, vm, token, Types.VmPowerState.PAUSED, seen);
        vm.unpause(conn);
        token = awaitPowerState(conn, vm, token, Types.VmPowerState.RUNNING, seen);
        vm.suspend(conn);
        token = awaitPowerState(conn, vm, token, Types.VmPowerState.SUSPENDED, seen);
        vm.resume(conn, false, false);
        token = awaitPowerState(conn, vm, token, Types.VmPowerState.RUNNING, seen);
        vm.cleanShutdown(conn);
        awaitPowerState(conn, vm, token, Types.VmPowerState.HALTED, seen);
        assertEquals(List.of(Types.VmPowerState.RUNNING, Types.VmPowerState.PAUSED, Types.VmPowerState.RUNNING,
                Types.VmPowerState.SUSPENDED, Types.VmPowerState.RUNNING, Types.VmPowerState.HALTED), seen);
        var e = assertThrows(Types.VmBadPowerState.class, () -> vm.unpause(conn));
        assertEquals("halted", e.actual);
    }

    /**
     * What an orchestrator (CloudStack drives XAPI through this SDK) asks of a one-host pool before maintenance: the
     * running VM keeps the host from being evacuated, a disabled host takes no VM back, and a session local to the
     * host works when the coordinator would not answer.
     */
    @Test
    void aRunningVmKeepsItsOnlyHostFromEvacuatingAndADisabledHostTakesNoVm() throws Exception {
        Connection conn = connect();
        Host host = session.getThisHost(conn);
        VM vm = VM.getByUuid(conn, daemon.installTestGuest("maintenance"));
        vm.start(conn, false, false);
        awaitGuestUp(vm.getUuid(conn));
        assertEquals(Map.of(vm, Set.of("NO_HOSTS_AVAILABLE", vm.toWireString())), host.getVmsWhichPreventEvacuation(conn));
        var cannot = assertThrows(Types.CannotEvacuateHost.class, () -> host.assertCanEvacuate(conn));
        assertEquals("NO_HOSTS_AVAILABLE," + vm.toWireString(), cannot.errors);
        assertThrows(Types.NoHostsAvailable.class, () -> host.evacuate(conn));
        assertTrue(host.getCurrentOperations(conn).isEmpty());
        assertEquals(Types.VmPowerState.RUNNING, vm.getPowerState(conn));
        assertEquals("OpaqueRef:NULL", daemon.rpc("VM.get_scheduled_to_be_resident_on", vm.toWireString()), "held only while it starts");

        host.disable(conn);
        try {
            assertFalse(host.getEnabled(conn));
            vm.assertCanBootHere(conn, host); // it runs there already
            vm.suspend(conn);
            assertThrows(Types.NoHostsAvailable.class, () -> vm.resume(conn, false, false));
            var disabled = assertThrows(Types.HostDisabled.class, () -> vm.resumeOn(conn, host, false, false));
            assertEquals(host.toWireString(), disabled.host);
            assertEquals(Types.VmPowerState.SUSPENDED, vm.getPowerState(conn));

            Connection local = new Connection(URI.create(daemon.url()).toURL());
            Session.slaveLocalLoginWithPassword(local, "root", TestDaemon.PASSWORD);
            host.enable(local);
            Session.localLogout(local);
            assertThrows(Types.SessionInvalid.class, () -> Host.getAll(local));
        } finally {
            host.enable(conn);
        }
        assertTrue(host.getEnabled(conn));
        vm.resume(conn, false, false);
        assertEquals(Types.VmPowerState.RUNNING, vm.getPowerState(conn));
        assertEquals(Set.of(host), vm.getPossibleHosts(conn));
        vm.hardShutdown(conn);
        assertEquals(Map.of(), host.getVmsWhichPreventEvacuation(conn));
        host.evacuate(conn);
    }

    /** Reads events until the VM's snapshot shows {@code state}; returns the token to go on from. */
    private static String awaitPowerState(Connection conn, VM vm, String token, Types.VmPowerState state,
                                          List<Types.VmPowerState> seen) throws Exception {
        String ref = vm.toWireString();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            var batch = Event.from(conn, Set.of("vm/" + ref), token, 10.0);
            token = batch.token;
            for (var ev : batch.events) {
                if (ev.snapshot instanceof VM.Record r && r.powerState == state) {
                    seen.add(state);
                    return token;
                }
            }
        }
        throw new AssertionError("no event with power state " + state);
    }

    /** A clean shutdown needs the guest to listen for the power button: wait for its up line. */
    private static void awaitGuestUp(String uuid) throws Exception {
        var serial = daemon.stateDir.resolve("run").resolve(uuid).resolve("serial.log");
        for (int i = 0; i < 300; i++) {
            if (java.nio.file.Files.exists(serial) && java.nio.file.Files.readString(serial).contains("FLOTILLA-GUEST up")) return;
            Thread.sleep(100);
        }
        throw new AssertionError("guest did not come up");
    }

    @Test
    void wrongPasswordAndBadRefsAreXapiErrors() throws Exception {
        var conn = new Connection(URI.create(daemon.url()).toURL());
        assertThrows(Types.SessionAuthenticationFailed.class, () -> Session.loginWithPassword(conn, "root", "wrong", "1.0"));
        Connection ok = connect();
        var e = assertThrows(Types.HandleInvalid.class, () -> Types.toVM("OpaqueRef:nope").getRecord(ok));
        assertEquals("VM", e.clazz);
    }
}
