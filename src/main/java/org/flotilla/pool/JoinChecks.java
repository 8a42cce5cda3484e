package org.flotilla.pool;

import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;

/** What XAPI checks of a host's own database before it joins a pool: it gives up its database, so nothing may be lost with it. */
public final class JoinChecks {
    private JoinChecks() {}

    public static void assertCanJoin(Database db) {
        if (db.all(Host.CLASS).size() > 1) throw ApiError.of("JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS");
        var guests = db.where(VM.CLASS, vm -> !vm.get(VM.is_control_domain));
        if (guests.stream().anyMatch(vm -> vm.get(VM.power_state) == VmPowerState.Running)) {
            throw ApiError.of("JOINING_HOST_CANNOT_HAVE_RUNNING_VMS");
        }
        if (guests.stream().anyMatch(vm -> !vm.get(VM.current_operations).isEmpty())) {
            throw ApiError.of("JOINING_HOST_CANNOT_HAVE_VMS_WITH_CURRENT_OPERATIONS");
        }
        if (db.all(SR.CLASS).stream().anyMatch(sr -> sr.get(SR.shared) && !sr.get(SR.is_tools_sr))) {
            throw ApiError.of("JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS");
        }
    }
}
