package org.flotilla.daemon;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.host.HostFacts;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.pool.MemberCertificates;
import org.flotilla.raft.MemberTls;
import org.flotilla.runtime.migration.MigrationTls;
import org.flotilla.server.HostCertificate;

/**
 * The host's certificate as migrations show it: the one its API and the pool's database show ({@code xapi-ssl.pem} in
 * its state directory), read when a migration first needs it — a host that never migrates never reads it — and listed
 * in the pool database as the pool lists each member's (a member's is listed when it joins), so that other hosts
 * know it for this host's and no other's.
 */
final class HostIdentity implements Supplier<MemberTls> {
    private final Path stateDir;
    private final HostFacts facts;
    private final Database db;
    private final Ref<Host> host;
    private final MemberCertificates certificates;
    private MemberTls tls;

    private HostIdentity(Path stateDir, HostFacts facts, Database db, Ref<Host> host) {
        this.stateDir = stateDir;
        this.facts = facts;
        this.db = db;
        this.host = host;
        this.certificates = new MemberCertificates(db);
    }

    /** The TLS of this host's migrations: its certificate shown, the members the pool database lists let in. */
    static MigrationTls forMigrations(Path stateDir, HostFacts facts, Database db, Ref<Host> host) {
        var identity = new HostIdentity(stateDir, facts, db, host);
        return new MigrationTls(identity, identity.certificates::fingerprints);
    }

    @Override
    public synchronized MemberTls get() {
        if (tls == null) {
            HostCertificate certificate = HostCertificate.loadOrCreate(stateDir, facts.hostname(), List.of(facts.address()));
            certificates.listOwn(db.require(host).get(Host.uuid), host, certificate.certificate());
            tls = certificate.memberTls(certificates::fingerprints);
        }
        return tls;
    }
}
