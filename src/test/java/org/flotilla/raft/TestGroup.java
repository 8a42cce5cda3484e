package org.flotilla.raft;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.XenApi;

/** Members of one group on loopback ports, each with its own storage under a directory; closes what it started. */
final class TestGroup implements AutoCloseable {
    static final Model MODEL = XenApi.model();

    final UUID id = UUID.randomUUID();
    final Path dir;
    final RaftTuning tuning;
    final Map<String, Peer> peers = new TreeMap<>();
    final Map<String, ReplicatedDatabase> running = new TreeMap<>();
    /** The members that talk mutual TLS, by id; the others talk plaintext. */
    final Map<String, MemberTls> identities = new TreeMap<>();

    TestGroup(Path dir, RaftTuning tuning) {
        this.dir = dir;
        this.tuning = tuning;
    }

    /** Starts {@code n} voters, m1…mn, and waits for one of them to become the coordinator. */
    static TestGroup ofVoters(Path dir, int n, RaftTuning tuning) { return ofVoters(dir, n, tuning, Map.of()); }

    /** As {@link #ofVoters(Path, int, RaftTuning)}, the members in {@code identities} over mutual TLS. */
    static TestGroup ofVoters(Path dir, int n, RaftTuning tuning, Map<String, MemberTls> identities) {
        var g = new TestGroup(dir, tuning);
        g.identities.putAll(identities);
        for (int i = 1; i <= n; i++) g.peer("m" + i);
        List<Peer> voters = List.copyOf(g.peers.values());
        for (Peer p : voters) g.start(p.id(), voters);
        g.coordinator();
        return g;
    }

    Peer peer(String id) { return peers.computeIfAbsent(id, k -> new Peer(k, "127.0.0.1", freePort())); }

    ReplicatedDatabase start(String id, List<Peer> voters) {
        ReplicatedDatabase m = ReplicatedDatabase.open(dir.resolve(id), MODEL, this.id, peer(id), voters, tuning,
                Optional.ofNullable(identities.get(id)));
        running.put(id, m);
        return m;
    }

    void stop(String id) { running.remove(id).close(); }

    ReplicatedDatabase member(String id) { return running.get(id); }

    /** The coordinator, once one of the running members is, within a few seconds. */
    ReplicatedDatabase coordinator() {
        await(Duration.ofSeconds(10), "a coordinator", () -> findCoordinator().isPresent());
        return findCoordinator().orElseThrow();
    }

    Optional<ReplicatedDatabase> findCoordinator() {
        return running.values().stream().filter(ReplicatedDatabase::isCoordinator).findFirst();
    }

    List<ReplicatedDatabase> others(ReplicatedDatabase m) {
        return new ArrayList<>(running.values().stream().filter(x -> x != m).toList());
    }

    /** Every persistent object of the database with the generations it was made and changed at, in creation order. */
    static List<DbObject<?>> persistentObjects(Database db) {
        var out = new ArrayList<DbObject<?>>();
        for (var c : MODEL.classes()) if (c.stored() && c.persistent()) out.addAll(db.all(c.name()));
        return out;
    }

    static void await(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private static int freePort() {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (String id : List.copyOf(running.keySet())) stop(id);
    }
}
