package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.flotilla.Slow;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three daemons in their own namespaces made one pool with pool.join, as an administrator would: every member
 * answers with the same records, writes through any member reach all, the coordinator's loss elects another, and
 * pool.eject gives a host back its own pool. The steps build on each other, in order.
 */
@Slow
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolJoinTest {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private TestHosts pool;
    private TestHost h0;
    private TestHost h1;
    private TestHost h2;

    @BeforeAll
    void startHosts() throws Exception {
        pool = TestHosts.start(3);
        h0 = pool.host(0);
        h1 = pool.host(1);
        h2 = pool.host(2);
    }

    @AfterAll
    void close() { pool.close(); }

    @Test
    @Order(1)
    void aJoinThatCannotWorkIsRefusedWithXapisErrorsAndChangesNothing() {
        assertEquals("OPERATION_NOT_ALLOWED", refusal(() -> h0.call("pool.join", h0.address(), "root", h0.password())));
        assertEquals("SESSION_AUTHENTICATION_FAILED", refusal(() -> h1.call("pool.join", h0.address(), "root", "wrong")));
        String nobody = h0.address().substring(0, h0.address().lastIndexOf('.')) + ".200";
        assertEquals("JOINING_HOST_CONNECTION_FAILED", refusal(() -> h1.call("pool.join", nobody, "root", h1.password())));
        for (TestHost h : pool.hosts()) assertEquals(1, hosts(h).size(), h + " is still a pool of its own");
    }

    @Test
    @Order(2)
    void hostsThatJoinSeeOnePoolWithOneCoordinator() throws Exception {
        String poolUuid = (String) h0.call("pool.get_uuid", firstPool(h0));
        long t0 = System.nanoTime();
        h1.call("pool.join", h0.address(), "root", h0.password());
        awaitMember(h1, 2);
        System.out.printf("second host joined in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        t0 = System.nanoTime();
        assertEquals(0, xe(h2, "pool-join", "master-address=" + h0.address(), "master-username=root", "master-password=" + h0.password()));
        awaitMember(h2, 3);
        System.out.printf("third host joined in %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        for (TestHost h : pool.hosts()) {
            await(h + " to list the three hosts", () -> hosts(h).size() == 3);
            assertEquals(poolUuid, h.call("pool.get_uuid", firstPool(h)), h + " is in the first host's pool");
            assertEquals(h0.hostRef(), h.call("pool.get_master", firstPool(h)), h + " names the first host coordinator");
            assertEquals(1, ((List<?>) h.call("pool.get_all")).size());
        }
        var uuids = new HashSet<String>();
        for (TestHost h : pool.hosts()) uuids.add((String) h0.call("host.get_uuid", h.hostRef()));
        assertEquals(3, uuids.size(), "each member keeps its own host record");
        assertEquals("JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS",
                refusal(() -> h0.call("pool.join", h1.address(), "root", h1.password())));
    }

    @Test
    @Order(3)
    void aWriteThroughAnyMemberReachesEveryMember() {
        for (TestHost writer : pool.hosts()) {
            String name = "named through " + writer.name();
            writer.call("pool.set_name_label", firstPool(writer), name);
            assertEquals(name, writer.call("pool.get_name_label", firstPool(writer)), "the writer reads its own write");
            for (TestHost h : pool.hosts()) await(h + " to read the name", () -> name.equals(h.call("pool.get_name_label", firstPool(h))));
        }
    }

    @Test
    @Order(4)
    void aVmIsMadeStartedAndStoppedThroughMembersThatForwardToTheHostThatRunsIt() {
        List<?> named = (List<?>) h1.call("VM.get_by_name_label", "Flotilla test guest");
        assertEquals(1, named.size(), "one template in the pool, whichever hosts joined: " + named.stream()
                .map(v -> h1.call("VM.get_is_a_template", v) + "/" + h1.call("VM.get_resident_on", v)).toList());
        String template = (String) named.getFirst();
        String vm = (String) h1.call("VM.clone", template, "made through a member");
        h1.call("VM.provision", vm); // its disk goes to the pool's default SR, the coordinator's local one: the call goes there
        h2.call("VM.start", vm, false, false);
        // its disk is on the coordinator's local storage: only the coordinator can run it, and the call went there
        assertEquals(h0.hostRef(), h2.call("VM.get_resident_on", vm));
        for (TestHost h : pool.hosts()) await(h + " to see it running", () -> "Running".equals(h.call("VM.get_power_state", vm)));
        h1.call("VM.hard_shutdown", vm);
        assertEquals("Halted", h1.call("VM.get_power_state", vm));
        assertEquals("OpaqueRef:NULL", h2.call("VM.get_resident_on", vm));
        h2.call("VM.destroy", vm);
    }

    @Test
    @Order(5)
    void losingTheCoordinatorElectsAnotherAndLosesNoAcknowledgedWrite() throws Exception {
        h0.call("pool.set_name_description", firstPool(h0), "before the coordinator died");
        h0.kill();
        long t0 = System.nanoTime();
        await("a new coordinator named in pool.master",
                () -> List.of(h1.hostRef(), h2.hostRef()).contains(h1.call("pool.get_master", firstPool(h1))));
        System.out.printf("new coordinator recorded %d ms after the old one was killed%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals("before the coordinator died", h2.call("pool.get_name_description", firstPool(h2)));
        h2.call("pool.set_name_description", firstPool(h2), "while the first host was down");

        h0.restart();
        await("the first host to catch up", () -> "while the first host was down".equals(h0.call("pool.get_name_description", firstPool(h0))));
        assertNotEquals(h0.hostRef(), h0.call("pool.get_master", firstPool(h0)), "the first host came back as a member");
        assertEquals(3, hosts(h0).size());
    }

    /**
     * After the coordinator's role moved (above), the new coordinator kept no other member's certificate: it joined, and
     * only a coordinator keeps the certificates joining hosts show it. pool.certificate_sync has every member keep them all.
     */
    @Test
    @Order(6)
    void certificateSyncHasEveryMemberKeepEveryOtherMembersCertificate() throws Exception {
        TestHost coordinator = coordinator();
        TestHost member = pool.hosts().stream().filter(h -> h != coordinator).findFirst().orElseThrow();
        assertEquals("HOST_IS_SLAVE", refusal(() -> member.call("pool.certificate_sync")));
        @SuppressWarnings("unchecked")
        var listed = (Map<String, Map<String, Object>>) member.call("Certificate.get_all_records");
        for (TestHost h : pool.hosts()) {
            String pem = (String) member.call("host.get_server_certificate", h.hostRef());
            String fingerprint = org.flotilla.raft.Fingerprint.sha256((java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                    .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
            assertTrue(listed.values().stream().anyMatch(c -> h.uuid().equals(c.get("name")) && fingerprint.equals(c.get("fingerprint"))),
                    h + "'s certificate, read through " + member + ", is the one the pool lists for it");
        }

        assertEquals(0, xe(coordinator, "pool-certificate-sync"));
        for (TestHost h : pool.hosts()) {
            Path dir = h.stateDir().resolve("pool-certs");
            var expected = new HashSet<String>();
            for (TestHost other : pool.hosts()) {
                if (other == h) continue;
                expected.add(other.uuid() + ".pem");
                assertEquals(other.call("host.get_server_certificate", other.hostRef()), Files.readString(dir.resolve(other.uuid() + ".pem")),
                        h + " keeps " + other + "'s certificate");
            }
            try (var files = Files.list(dir)) {
                assertEquals(expected, files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet()), h + " keeps no other");
            }
        }
    }

    @Test
    @Order(7)
    void anEjectedHostBecomesAPoolOfItsOwn() throws Exception {
        TestHost coordinator = coordinator();
        TestHost ejected = pool.hosts().stream().filter(h -> h != coordinator).findFirst().orElseThrow();
        String ejectedUuid = ejected.uuid();
        assertEquals(1, xe(coordinator, "pool-eject", "host-uuid=" + ejectedUuid), "xe asks for --force");
        assertEquals(3, hosts(coordinator).size());
        assertEquals(0, xe(coordinator, "pool-eject", "host-uuid=" + ejectedUuid, "--force"));
        awaitMember(ejected, 1);
        assertEquals(ejected.hostRef(), ejected.call("pool.get_master", firstPool(ejected)), "it coordinates its own pool");
        assertEquals(ejectedUuid, ejected.call("host.get_uuid", ejected.hostRef()), "with the same host uuid");
        for (TestHost h : pool.hosts()) {
            if (h != ejected) await(h + " to list two hosts", () -> hosts(h).size() == 2);
        }
    }

    private static int xe(TestHost h, String... args) { return TestXe.run(h, new java.io.ByteArrayOutputStream(), args); }

    private TestHost coordinator() {
        Object master = h0.call("pool.get_master", firstPool(h0));
        return pool.hosts().stream().filter(h -> h.hostRef().equals(master)).findFirst().orElseThrow();
    }

    private static String refusal(Runnable call) { return assertThrows(ApiError.class, call::run).code(); }

    private static void await(String what, Supplier<Boolean> condition) { PoolWaits.await(SETTLE, what, condition); }

    private static void awaitMember(TestHost h, int hosts) throws InterruptedException { PoolWaits.awaitMember(h, hosts, SETTLE); }

    private static Map<?, ?> hosts(TestHost h) { return PoolWaits.hosts(h); }

    private static String firstPool(TestHost h) { return PoolWaits.firstPool(h); }
}
