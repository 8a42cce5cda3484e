package org.flotilla.pool;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;

/**
 * How this host takes part in a pool of several: joining one, ejecting a member, moving the coordinator's role.
 * The daemon implements it, since joining and leaving restart the toolstack on another database.
 */
public interface Membership {
    /** pool.join: checks, certificates and the pool's secret exchanged with the coordinator, then a restart as a member. */
    void join(String coordinatorAddress, String user, String password, boolean force);

    /** pool.eject, on the coordinator. */
    void eject(Ref<Host> host);

    /** pool.designate_new_master. */
    void designateNewMaster(Ref<Host> host);

    /** pool.initial_auth: the pool's secret. */
    String initialAuth();

    /** pool.exchange_certificates_on_join: pins a joining host's certificate; every member's certificate by "uuid.pem". */
    Map<String, String> exchangeCertificatesOnJoin(String hostUuid, String certificatePem);

    /** pool.emergency_transition_to_master: this member becomes the coordinator of the pool from its own copy. */
    void emergencyTransitionToMaster();

    /** pool.emergency_reset_master: this member drops its copy and joins the group the coordinator at the address leads. */
    void emergencyResetMaster(String masterAddress);

    /** pool.recover_slaves, on the coordinator: the hosts told of it with emergency_reset_master. */
    List<Ref<Host>> recoverSlaves();

    /** host.get_server_certificate of this host: its TLS certificate, in PEM. */
    String serverCertificate();

    /** host.certificate_sync of this host: every other member's certificate kept, read from it and checked against its listing. */
    void syncCertificates();

    /** pool.certificate_sync, on the coordinator: every member syncs, this host first. */
    void certificateSync();

    /** A host that cannot be part of a pool of several, for tests of one host's API. */
    Membership ALONE = new Membership() {
        @Override public void join(String coordinatorAddress, String user, String password, boolean force) { throw alone(); }

        @Override public void eject(Ref<Host> host) { throw alone(); }

        @Override public void designateNewMaster(Ref<Host> host) { throw alone(); }

        @Override public String initialAuth() { throw alone(); }

        @Override public Map<String, String> exchangeCertificatesOnJoin(String hostUuid, String certificatePem) { throw alone(); }

        /** As XAPI on a host that is its pool's master already: nothing to do. */
        @Override public void emergencyTransitionToMaster() { }

        @Override public void emergencyResetMaster(String masterAddress) { throw alone(); }

        @Override public List<Ref<Host>> recoverSlaves() { return List.of(); }

        @Override public String serverCertificate() { throw alone(); }

        /** Alone, there is no other member's certificate to keep. */
        @Override public void syncCertificates() { }

        @Override public void certificateSync() { }

        private ApiError alone() { return ApiError.of("OPERATION_NOT_ALLOWED", "this host runs without pool membership"); }
    };
}
