package org.flotilla.daemon;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.flotilla.cli.RemoteActions;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.LocalHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.pool.EmergencyTakeover;
import org.flotilla.pool.HostRecords;
import org.flotilla.pool.JoinChecks;
import org.flotilla.pool.MemberCertificates;
import org.flotilla.pool.MemberFile;
import org.flotilla.pool.Membership;
import org.flotilla.pool.PoolSecret;
import org.flotilla.raft.Fingerprint;
import org.flotilla.raft.MemberTls;
import org.flotilla.raft.Peer;
import org.flotilla.raft.RaftTuning;
import org.flotilla.raft.ReplicatedDatabase;
import org.flotilla.runtime.migration.MigrationPeer;
import org.flotilla.runtime.migration.MigrationPeers;
import org.flotilla.server.HostCertificate;

/**
 * This host's part in a pool of several. A single host runs on its journal; the first host to take another in
 * founds the pool database's group (its whole database the log's first entry) and leads it as the coordinator; a
 * joining host asks the coordinator for the pool's secret and certificates, restarts on an empty copy, asks to be
 * taken into the group, and starts its toolstack once its copy has caught up. Every member then reads its own
 * copy and writes through the coordinator; the members' TLS trusts exactly the certificates the database lists.
 */
final class PoolMembers implements Membership, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PoolMembers.class.getName());
    static final RaftTuning TUNING = RaftTuning.DEFAULT;
    /** How long a member waits, at start, for the coordinator to take it in and for its copy to catch up. */
    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    /**
     * How long a restarting member waits for a coordinator before it starts in emergency mode: elections take about
     * a second, and a pool that lost its majority is waited on this long at every start of a member.
     */
    private static final Duration EMERGENCY_AFTER = Duration.ofSeconds(Long.getLong("flotilla.emergency-after", 20));
    /** How long a voter of the pool database may stay silent before a follower takes its place ({@link VotingSet}). */
    private static final Duration VOTER_SILENT_AFTER = Duration.ofSeconds(Long.getLong("flotilla.voter-silent-after", 30));
    private static final Duration VOTER_WATCH_EVERY = Duration.ofSeconds(5);
    /** How often a member in emergency mode looks for a coordinator again. */
    private static final Duration LOOK_AGAIN = Duration.ofSeconds(2);
    private static final int DEFAULT_API_PORT = 443;
    /** Marks a host ejected from its pool until its next start has cleared what it held of the pool. */
    private static final String LEFT = "pool-left";

    private final Path stateDir;
    private final String hostUuid;
    private final Peer self;
    private final int apiPort;
    private final HostCertificate certificate;
    /** Restarts the toolstack, running the step given once the old one has closed. */
    private final Consumer<Runnable> restart;
    private final TrustedMembers trusted;
    private final MemberTls tls;
    private final MigrationClients migrationClients = new MigrationClients();
    private volatile ReplicatedDatabase replicated;
    private static final int RECORD_COORDINATOR_ATTEMPTS = 20;
    private static final long RECORD_COORDINATOR_PAUSE_MILLIS = 500;
    private volatile Node node;
    private volatile boolean closed;
    /** What a member does once its toolstack runs: the first time, ask the coordinator to settle who votes. */
    private Runnable afterStart = () -> { };

    PoolMembers(Path stateDir, String address, int poolPort, int apiPort, HostCertificate certificate, Consumer<Runnable> restart) {
        this.stateDir = stateDir;
        this.hostUuid = LocalHost.hostUuid(stateDir);
        this.self = new Peer(hostUuid, address, poolPort);
        this.apiPort = apiPort;
        this.certificate = certificate;
        this.restart = restart;
        this.trusted = new TrustedMembers(certificate.sha256Fingerprint());
        this.tls = certificate.memberTls(trusted);
    }

    // ---- start --------------------------------------------------------------------------------

    /**
     * The pool's database, this host a member of its group: taken in by the coordinator the first time, then
     * caught up with the group before anything is built on it.
     */
    Optional<Database> openAsMember(MemberFile member) {
        trusted.bootstrap(member.trusted());
        Path dir = stateDir.resolve("pool-db");
        boolean first = !Files.isDirectory(dir.resolve(member.group().toString()));
        var db = ReplicatedDatabase.open(dir, XenApi.model(), member.group(), self, List.of(), TUNING, Optional.of(tls));
        replicated = db;
        trusted.listFrom(db.database());
        try {
            var calls = new MemberCalls(tls, secret());
            if (first) db.awaitApplied(calls.admit(member.joinedThrough(), self, CATCH_UP), CATCH_UP);
            if (!first && !db.awaitCoordinator(EMERGENCY_AFTER)) {
                LOG.log(Level.WARNING, "no coordinator of the pool database within " + EMERGENCY_AFTER.toSeconds() + " s: emergency mode");
                db.database().advanceGenerationTo(System.currentTimeMillis() * 1000);
                return Optional.empty();
            }
            db.awaitCaughtUp(CATCH_UP);
            if (first) afterStart = () -> db.coordinator().ifPresent(c -> calls.settleVoters(c.host() + ":" + apiPort));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        db.database().advanceGenerationTo(System.currentTimeMillis() * 1000);
        return Optional.of(db.database());
    }

    /** In emergency mode: this member's own copy of the pool database, as far as it had applied it. */
    Database localCopy() { return replicated.database(); }

    /** In emergency mode: restarts the toolstack as a member as soon as the pool database's group has a coordinator again. */
    void restartWhenCoordinatorReturns() {
        Thread.ofVirtual().name("await-coordinator").start(() -> {
            while (!closed) {
                ReplicatedDatabase db = replicated;
                if (db != null && db.coordinator().isPresent()) {
                    LOG.log(Level.INFO, "the pool database has a coordinator again: leaving emergency mode");
                    restart.accept(() -> { });
                    return;
                }
                try {
                    Thread.sleep(LOOK_AGAIN);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The coordinator HOST_IS_SLAVE names in emergency mode: the address of pool.master in this member's copy. */
    String lastKnownCoordinator() {
        Database copy = replicated.database();
        return copy.all(Pool.CLASS).stream().map(p -> copy.get(p.get(Pool.master))).filter(java.util.Objects::nonNull)
                .map(h -> h.get(Host.address)).findFirst().orElse("");
    }

    /** The node built on this host's database: the pool's records of this host, and the coordinator's duties. */
    void attach(Node node) {
        this.node = node;
        ReplicatedDatabase db = replicated;
        if (db == null) return;
        db.onBecomingCoordinator(() -> Thread.ofVirtual().start(this::recordCoordinator));
        if (db.isCoordinator()) recordCoordinator();
        pinOwnCertificate();
        Thread.ofVirtual().start(afterStart);
        Thread.ofVirtual().name("voter-watch").start(() -> watchVoters(db));
    }

    /** On the coordinator, while it leads: voters silent for too long give their places to followers that answer. */
    private void watchVoters(ReplicatedDatabase db) {
        while (!closed && replicated == db) {
            try {
                Thread.sleep(VOTER_WATCH_EVERY);
            } catch (InterruptedException e) {
                return;
            }
            try {
                replaceSilentVoters(db);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not replace the pool database's silent voters", e);
            }
        }
    }

    /** Serialized with admissions and settlings: Ratis takes one change of the group at a time. */
    private synchronized void replaceSilentVoters(ReplicatedDatabase db) {
        if (!closed && replicated == db && db.isCoordinator()) db.replaceSilentVoters(VOTER_SILENT_AFTER);
    }

    /**
     * How this host reaches the destination's side of a VM's migration on another member: over TLS that lets in that
     * member's pinned certificate alone, since its answer names the certificate this host's QEMU will trust.
     */
    MigrationPeers migrationPeers() {
        return host -> {
            DbObject<Host> member = node.db().require(host);
            String uuid = member.get(Host.uuid);
            String hostPort = hostPort(member.get(Host.address));
            String secret = secret();
            return migrationClients.of(uuid, hostPort, secret,
                    () -> new MemberCalls(tls.sslContext(() -> new MemberCertificates(node.db()).fingerprintsOf(uuid)), secret)).migrationPeer(hostPort);
        };
    }

    /** The destination's side of migrations to this host. */
    MigrationPeer migrationTarget() { return node.vmRuntime().migrationTarget(); }

    private String hostPort(String address) { return hostPort(address, apiPort); }

    /** host:port for a member's address, an IPv6 one in brackets. */
    static String hostPort(String address, int port) { return (address.contains(":") ? "[" + address + "]" : address) + ":" + port; }

    /** How this host sends other members the calls that belong to them. */
    HostForwarder forwarder() { return new HostForwarder(node.db(), tls, secret(), apiPort); }

    /** pool.master follows the group's leader: the new coordinator writes itself there. */
    private void recordCoordinator() {
        for (int attempt = 1; attempt <= RECORD_COORDINATOR_ATTEMPTS; attempt++) {
            Node n = node;
            ReplicatedDatabase db = replicated;
            if (n == null || db == null || !db.isCoordinator()) return;
            try {
                Ref<Pool> pool = n.pool();
                if (!n.host().equals(n.db().require(pool).get(Pool.master))) n.db().write(tx -> tx.set(pool, Pool.master, n.host()));
                n.storage().coalescer().triggerAll(); // shared SRs' chains are collected here now, and what the last coordinator left
                return;
            } catch (RuntimeException e) {
                // a new coordinator's first writes may meet a group still settling: it tries again while it leads
                LOG.log(Level.WARNING, "could not record this host as the pool's coordinator (attempt " + attempt + ")", e);
            }
            try {
                Thread.sleep(RECORD_COORDINATOR_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void pinOwnCertificate() { new MemberCertificates(node.db()).listOwn(hostUuid, node.host(), certificate.certificate()); }

    // ---- pool.join, on the joining host -------------------------------------------------------------

    @Override
    public void join(String coordinatorAddress, String user, String password, boolean force) {
        if (replicated != null) throw ApiError.of("JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS");
        JoinChecks.assertCanJoin(node.db());
        String target = withPort(coordinatorAddress);
        var invitation = new JoinCalls(target).join(user, password, hostUuid, pem(certificate.certificate()), force,
                node.db().require(node.host()).get(Host.API_version_major), node.db().require(node.host()).get(Host.API_version_minor));
        var fingerprints = new HashSet<String>();
        for (String pem : invitation.certificates().values()) fingerprints.add(Fingerprint.sha256(parse(pem, "a member's certificate the coordinator sent")));
        PoolSecret.replace(stateDir, invitation.secret());
        new MemberFile(invitation.group(), self.port(), target, fingerprints).write(stateDir);
        LOG.log(Level.INFO, "joined the pool " + invitation.group() + " through " + target + "; restarting as a member");
        restart.accept(() -> { });
    }

    private static String withPort(String address) {
        String a = address.strip();
        boolean hasPort = a.startsWith("[") ? a.contains("]:") : a.indexOf(':') > 0 && a.indexOf(':') == a.lastIndexOf(':');
        return hasPort ? a : (a.contains(":") && !a.startsWith("[") ? "[" + a + "]" : a) + ":" + DEFAULT_API_PORT;
    }

    // ---- on the coordinator -----------------------------------------------------------------

    @Override
    public String initialAuth() { return secret(); }

    @Override
    public synchronized Map<String, String> exchangeCertificatesOnJoin(String joiningUuid, String certificatePem) {
        X509Certificate joining = parse(certificatePem, "the joining host's certificate");
        try {
            Path dir = Files.createDirectories(stateDir.resolve("pool-certs"));
            Files.writeString(dir.resolve(joiningUuid + ".pem"), pem(joining));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        new MemberCertificates(node.db()).pin(joiningUuid, Host.CLASS.ref(Ref.NULL), Fingerprint.sha256(joining),
                joining.getNotBefore().toInstant(), joining.getNotAfter().toInstant());
        var out = new LinkedHashMap<String, String>();
        out.put(hostUuid + ".pem", pem(certificate.certificate()));
        try (var files = Files.list(stateDir.resolve("pool-certs"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                String uuid = name.substring(0, name.length() - ".pem".length());
                if (name.endsWith(".pem") && node.db().refByUuid(Host.CLASS, uuid).isPresent()) out.put(name, Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.put(joiningUuid + ".pem", pem(joining));
        return out;
    }

    /**
     * Takes a host into the pool database's group, founding the group first if this host is still a pool of its
     * own. Returns the log index the joining host must reach before it builds on its copy.
     */
    synchronized long admit(Peer joining) {
        long t0 = System.nanoTime();
        ReplicatedDatabase db = replicated;
        if (db == null) db = found();
        if (!db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db.coordinator().map(Peer::host).orElse(""));
        if (!db.isMember(joining.id()) && !new MemberCertificates(db.database()).isListed(joining.id())) {
            throw ApiError.of("JOINING_HOST_SERVICE_FAILED"); // pool.exchange_certificates_on_join comes first
        }
        db.admit(joining);
        LOG.log(Level.INFO, "took " + joining.host() + " into the pool database in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return db.lastAppliedIndex();
    }

    /**
     * Sets how many members vote ({@link VotingSet}), once a new member is up to date.
     */
    synchronized void settleVoters() {
        ReplicatedDatabase db = replicated;
        if (db == null) return;
        if (!db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db.coordinator().map(Peer::host).orElse(""));
        db.balanceVoters(VotingSet.wanted(db.members().size()));
        LOG.log(Level.INFO, "the pool database's voters: " + db.voters().stream().map(Peer::host).toList() + ", followers: "
                + db.followers().stream().map(Peer::host).toList());
    }

    /** This single host's database becomes the first entry of a new group that it leads; the pool's uuid names the group. */
    private ReplicatedDatabase found() {
        Node n = node;
        UUID group = UUID.fromString(n.db().require(n.pool()).get(Pool.uuid));
        // written first: a crash after the group took the database over must not start again from the stale journal
        new MemberFile(group, self.port(), "", Set.of(certificate.sha256Fingerprint())).write(stateDir);
        try {
            ReplicatedDatabase db = ReplicatedDatabase.found(stateDir.resolve("pool-db"), n.db(), group, self, TUNING, Optional.of(tls));
            replicated = db;
            trusted.listFrom(n.db());
            db.onBecomingCoordinator(() -> Thread.ofVirtual().start(this::recordCoordinator));
            pinOwnCertificate();
            LOG.log(Level.INFO, "founded the pool database " + group + " for the pool's second member");
            return db;
        } catch (RuntimeException e) {
            MemberFile.delete(stateDir);
            throw e;
        }
    }

    @Override
    public void eject(Ref<Host> host) {
        ReplicatedDatabase db = replicated;
        Database pool = node.db();
        pool.require(host);
        if (host.equals(node.host())) throw ApiError.of("OPERATION_NOT_ALLOWED", "the coordinator cannot be ejected; designate another first");
        if (db == null) throw ApiError.of("OPERATION_NOT_ALLOWED", "this host is not in a pool of several");
        if (!db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db.coordinator().map(Peer::host).orElse(""));
        String uuid = pool.require(host).get(Host.uuid);
        String address = pool.require(host).get(Host.address);
        // the host forgets the pool first: only then is it safe to take it out of the group and its records away
        new MemberCalls(tls, secret()).leave(hostPort(address), host);
        if (db.isMember(uuid)) db.remove(uuid);
        HostRecords.forget(pool, host);
        new MemberCertificates(pool).unpin(uuid);
        db.balanceVoters(VotingSet.wanted(db.members().size()));
        try {
            Files.deleteIfExists(stateDir.resolve("pool-certs").resolve(uuid + ".pem"));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove the ejected host's certificate", e);
        }
    }

    /** On the host being ejected: leave the group and start again as a pool of its own, with a fresh database. */
    void leave() {
        LOG.log(Level.INFO, "ejected from the pool; restarting as a pool of its own");
        try {
            Files.writeString(stateDir.resolve(LEFT), "");
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot mark the pool as left", e);
            return;
        }
        MemberFile.delete(stateDir);
        restart.accept(() -> { }); // after a pause of its own, so the coordinator hears the answer first
    }

    /**
     * At start, after an eject: what the host held of the pool goes (its copy of the pool database, the members'
     * certificates, the pool's secret) and so does the journal it had before it joined, so it starts afresh.
     */
    static void forgetLeftPool(Path stateDir) {
        if (!Files.exists(stateDir.resolve(LEFT)) || MemberFile.read(stateDir).isPresent()) return;
        for (String name : List.of("pool-db", "pool-certs", "db")) deleteTree(stateDir.resolve(name));
        try {
            Files.deleteIfExists(stateDir.resolve("ptoken"));
            Files.delete(stateDir.resolve(LEFT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    @Override
    public void designateNewMaster(Ref<Host> host) {
        ReplicatedDatabase db = replicated;
        Database pool = node.db();
        String uuid = pool.require(host).get(Host.uuid);
        if (host.equals(node.host()) && (db == null || db.isCoordinator())) return;
        if (db == null) throw ApiError.of("OPERATION_NOT_ALLOWED", "this host is not in a pool of several");
        if (!db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db.coordinator().map(Peer::host).orElse(""));
        if (!db.isMember(uuid)) throw ApiError.of("HOST_OFFLINE", host.value());
        db.transferCoordinator(uuid);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!host.equals(pool.require(node.pool()).get(Pool.master)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- when the coordinator is lost for good --------------------------------------------------

    /**
     * pool.emergency_transition_to_master: a Raft group whose majority is gone elects nobody, so this member founds a
     * new group (a new id, itself its only voter) on its own copy, as the first host of a pool founds one, records
     * itself as pool.master and every other host not live (none is in the new group), and restarts as its coordinator.
     */
    @Override
    public void emergencyTransitionToMaster() {
        ReplicatedDatabase db = replicated;
        if (db == null || db.isCoordinator()) return; // as XAPI: the master already
        Database copy = db.database();
        var state = copy.durableState();
        Ref<Host> me = copy.refByUuid(Host.CLASS, hostUuid).orElseThrow(() -> ApiError.of("HOST_UNKNOWN_TO_MASTER", hostUuid));
        Set<String> fingerprints = fingerprintsKnown(copy);
        LOG.log(Level.WARNING, "emergency transition to coordinator: founding a new pool database from this host's copy");
        restart.accept(() -> foundFrom(state.objects(), me, fingerprints));
    }

    /**
     * Between the toolstacks: the old group's storage is set aside first (Ratis would start every group it finds in
     * the directory), the new group founded on the copy, and the old storage dropped only once pool-member.json names
     * the new group; should founding fail, the old group is put back as it was.
     */
    private void foundFrom(Iterable<org.flotilla.db.Op.Put> copy, Ref<Host> me, Set<String> fingerprints) {
        Path dir = stateDir.resolve("pool-db");
        Path aside = stateDir.resolve("pool-db.superseded");
        deleteTree(aside);
        try {
            Files.move(dir, aside);
            Database seed = new Database(XenApi.model(), org.flotilla.db.Journal.NONE);
            seed.replaceDurableState(copy);
            UUID group = UUID.randomUUID();
            try (var founded = ReplicatedDatabase.found(dir, seed, group, self, TUNING, Optional.of(tls))) {
                new EmergencyTakeover(founded.database(), me).record();
            } catch (RuntimeException e) {
                deleteTree(dir);
                Files.move(aside, dir);
                throw e;
            }
            new MemberFile(group, self.port(), "", fingerprints).write(stateDir);
            deleteTree(aside);
            LOG.log(Level.WARNING, "founded the pool database " + group + " from this host's copy; restarting as its coordinator");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * pool.emergency_reset_master: asks the coordinator at {@code masterAddress} which group it leads, then restarts
     * on an empty copy that joins it, as a member does the first time.
     */
    @Override
    public void emergencyResetMaster(String masterAddress) {
        ReplicatedDatabase db = replicated;
        if (db == null) throw ApiError.of("OPERATION_NOT_ALLOWED", "this host is not a member of a pool of several");
        String target = withPort(masterAddress);
        if (db.coordinator().map(c -> target.startsWith(c.host() + ":") || target.startsWith("[" + c.host() + "]:")).orElse(false)) {
            return; // following that coordinator already
        }
        UUID group = new MemberCalls(tls, secret()).group(target);
        Set<String> fingerprints = fingerprintsKnown(db.database());
        LOG.log(Level.WARNING, "the pool's coordinator is now " + target + ": dropping this copy of the pool database to join its group " + group);
        restart.accept(() -> {
            new MemberFile(group, self.port(), target, fingerprints).write(stateDir);
            try (var dirs = Files.list(stateDir.resolve("pool-db"))) {
                for (Path d : dirs.toList()) if (!d.getFileName().toString().equals(group.toString())) deleteTree(d);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The certificates this member trusts: those it joined with, and those its copy of the database lists. */
    private Set<String> fingerprintsKnown(Database copy) {
        var out = new HashSet<>(MemberFile.read(stateDir).map(MemberFile::trusted).orElse(Set.of()));
        out.addAll(new MemberCertificates(copy).fingerprints());
        out.add(certificate.sha256Fingerprint());
        return out;
    }

    /** pool.recover_slaves: every other host of the database that is not in the group is told where the coordinator is. */
    @Override
    public List<Ref<Host>> recoverSlaves() {
        ReplicatedDatabase db = replicated;
        if (db == null) return List.of();
        if (!db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db.coordinator().map(Peer::host).orElse(""));
        Database pool = node.db();
        String myAddress = pool.require(node.host()).get(Host.address);
        var recovered = new java.util.ArrayList<Ref<Host>>();
        for (var h : pool.all(Host.CLASS)) {
            Ref<Host> ref = h.self(Host.CLASS);
            if (ref.equals(node.host()) || db.isMember(h.get(Host.uuid))) continue;
            try {
                actionsOn(ref, Pool.Actions.class).emergency_reset_master(myAddress);
                recovered.add(ref);
            } catch (ApiError e) {
                LOG.log(Level.INFO, "could not recover " + h.get(Host.address) + ": " + e.getMessage());
            }
        }
        return recovered;
    }

    @Override
    public String serverCertificate() { return pem(certificate.certificate()); }

    /**
     * Keeps, in {@code pool-certs/}, the certificate of every other host of the pool, each read from that host over the
     * pool's TLS and checked against the fingerprint the pool database lists for its uuid; those of hosts no longer in
     * the pool go. A member that becomes the coordinator hands them to joining hosts ({@link #exchangeCertificatesOnJoin}).
     */
    @Override
    public void syncCertificates() {
        if (replicated == null) return;
        Database pool = node.db();
        var listed = new MemberCertificates(pool);
        // read first, without the lock that joins take: a host that does not answer holds none of them up
        var shown = new LinkedHashMap<String, X509Certificate>();
        for (DbObject<Host> h : pool.all(Host.CLASS)) {
            String uuid = h.get(Host.uuid);
            if (uuid.equals(hostUuid)) continue;
            Ref<Host> ref = h.self(Host.CLASS);
            X509Certificate c = parse(actionsOn(ref, Host.Actions.class).get_server_certificate(ref), "the certificate of host " + uuid);
            if (!listed.fingerprintsOf(uuid).contains(Fingerprint.sha256(c))) {
                throw ApiError.of("SSL_VERIFY_ERROR", "host " + h.get(Host.address) + " (" + uuid + ") shows a certificate the pool database does not list for it");
            }
            shown.put(uuid, c);
        }
        keepCertificates(shown, listed);
        LOG.log(Level.INFO, "kept the certificates of " + shown.size() + " other members");
    }

    /** Writes {@code shown} into {@code pool-certs/}; the others go, but for a host still listed (one joining now). */
    private synchronized void keepCertificates(Map<String, X509Certificate> shown, MemberCertificates listed) {
        try {
            Path dir = Files.createDirectories(stateDir.resolve("pool-certs"));
            for (var e : shown.entrySet()) Files.writeString(dir.resolve(e.getKey() + ".pem"), pem(e.getValue()));
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String uuid = f.getFileName().toString().replaceFirst("\\.pem$", "");
                    if (!shown.containsKey(uuid) && !listed.isListed(uuid)) Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void certificateSync() {
        ReplicatedDatabase db = replicated;
        if (db == null) return;
        if (!db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db.coordinator().map(Peer::host).orElse(""));
        syncCertificates();
        for (DbObject<Host> h : node.db().all(Host.CLASS)) {
            Ref<Host> ref = h.self(Host.CLASS);
            if (!ref.equals(node.host())) actionsOn(ref, Host.Actions.class).certificate_sync(ref);
        }
    }

    /** The group this coordinator leads, for a member told of it by pool.emergency_reset_master. */
    UUID group() {
        ReplicatedDatabase db = replicated;
        if (db == null || !db.isCoordinator()) throw ApiError.of("HOST_IS_SLAVE", db == null ? "" : db.coordinator().map(Peer::host).orElse(""));
        return MemberFile.read(stateDir).orElseThrow().group();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** {@code actions} of another host of the pool, each call forwarded there as a call that belongs to it. */
    private <A> A actionsOn(Ref<Host> host, Class<A> actions) {
        HostForwarder forwarder = forwarder();
        return RemoteActions.of(actions, (method, params) -> forwarder.forward(host, method, params.subList(1, params.size())), null);
    }

    private String secret() { return PoolSecret.ensure(stateDir).value(); }

    boolean secretMatches(String candidate) { return PoolSecret.ensure(stateDir).matches(candidate); }

    static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate in {@code pem}; CERTIFICATE_CORRUPT naming {@code what} it is if it is none. */
    static X509Certificate parse(String pem, String what) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | ClassCastException e) {
            throw ApiError.of("CERTIFICATE_CORRUPT", what);
        }
    }

    @Override
    public void close() {
        closed = true;
        ReplicatedDatabase db = replicated;
        replicated = null;
        if (db != null) db.close();
    }
}
