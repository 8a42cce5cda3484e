package org.flotilla.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.flotilla.model.ApiError;
import org.flotilla.model.MessageDef;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;

/** What a member in emergency mode lets through: XAPI's emergency calls and reads of its copy; everything else is refused. */
class EmergencyCallsTest {
    private final EmergencyCalls gate = new EmergencyCalls(() -> ApiError.of("HOST_IS_SLAVE", "10.0.0.1"));

    @Test
    void emergencyCallsAndReadsPass() {
        for (String m : List.of("session.slave_local_login_with_password", "session.slave_local_login", "session.local_logout",
                "pool.emergency_transition_to_master", "pool.emergency_reset_master", "VM.get_power_state", "VM.get_record",
                "host.get_all_records", "VM.get_by_uuid", "VM.get_by_name_label", "VM.get_all", "VM.get_all_records_where", "VM.get_VBDs")) {
            assertDoesNotThrow(() -> gate.admit(message(m)), m);
        }
    }

    @Test
    void everythingElseGetsTheEmergencyError() {
        for (String m : List.of("session.login_with_password", "VM.start", "VM.set_name_label", "VM.add_to_other_config",
                "VM.remove_from_other_config", "network.create", "VM.destroy", "pool.recover_slaves", "pool.join", "event.from")) {
            ApiError e = assertThrows(ApiError.class, () -> gate.admit(message(m)), m);
            assertEquals("HOST_IS_SLAVE", e.code());
            assertEquals(List.of("10.0.0.1"), e.params());
        }
    }

    @Test
    void theActionsOfOtherClassesRefuseShouldACallReachThem() {
        var actions = EmergencyCalls.actions(null, null);
        assertEquals("HOST_IN_EMERGENCY_MODE", assertThrows(ApiError.class, () -> actions.vm().start(null, false, false)).code());
        assertEquals("HOST_IN_EMERGENCY_MODE", assertThrows(ApiError.class, () -> actions.host().enable(null)).code());
    }

    private static MessageDef message(String wireName) {
        return XenApi.model().message(wireName).orElseThrow(() -> new AssertionError("no message " + wireName));
    }
}
