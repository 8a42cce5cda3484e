package org.flotilla.actions;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.host.Licence;
import org.flotilla.model.xenapi.enums.PoolGuestSecurebootReadiness;
import org.flotilla.pool.Membership;
import org.flotilla.runtime.domain.UefiImages;
import org.flotilla.runtime.launch.SecureBootReadiness;

/** pool's messages: forming and changing a pool of several hosts. */
public final class PoolActions implements Pool.Actions {
    /** What a licence would restrict: nothing, for ever. */
    private static final Map<String, String> LICENSE_STATE = Map.of("edition", Licence.EDITION, "expiry", "never");

    private final Membership membership;
    private final UefiImages uefi;

    public PoolActions(Membership membership, UefiImages uefi) {
        this.membership = membership;
        this.uefi = uefi;
    }

    @Override public PoolGuestSecurebootReadiness get_guest_secureboot_readiness(Ref<Pool> self) { return SecureBootReadiness.ofPool(uefi); }

    @Override public Map<String, String> get_license_state(Ref<Pool> self) { return LICENSE_STATE; }

    @Override
    public void join(String master_address, String master_username, String master_password) {
        membership.join(master_address, master_username, master_password, false);
    }

    @Override
    public void join_force(String master_address, String master_username, String master_password) {
        membership.join(master_address, master_username, master_password, true);
    }

    @Override public void eject(Ref<Host> host) { membership.eject(host); }

    @Override public void designate_new_master(Ref<Host> host) { membership.designateNewMaster(host); }

    @Override public String initial_auth() { return membership.initialAuth(); }

    @Override
    public Map<String, String> exchange_certificates_on_join(String uuid, String certificate) {
        return membership.exchangeCertificatesOnJoin(uuid, certificate);
    }

    @Override public void emergency_transition_to_master() { membership.emergencyTransitionToMaster(); }

    @Override public void emergency_reset_master(String master_address) { membership.emergencyResetMaster(master_address); }

    @Override public List<Ref<Host>> recover_slaves() { return membership.recoverSlaves(); }

    @Override public void certificate_sync() { membership.certificateSync(); }
}
