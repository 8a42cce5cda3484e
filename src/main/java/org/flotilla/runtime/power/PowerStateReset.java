package org.flotilla.runtime.power;

import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.domain.Domains;

/**
 * VM.power_state_reset, as XAPI's: the records of a VM whose host was lost made Halted, resident nowhere, its devices
 * detached, without touching any process. A running VM is reset only where nothing can still run it: its QEMU gone
 * from this host, or its host not live (Host_metrics.live, which a host loses when it shuts down or when another
 * takes over as coordinator in an emergency). XAPI asks a live-marked host before it believes it; Flotilla trusts
 * the flag.
 */
public final class PowerStateReset {
    private final Database db;
    private final Ref<Host> thisHost;
    private final Domains domains;
    private final PowerStateRecords records;

    public static PowerStateReset of(Database db, Ref<Host> thisHost, Domains domains, PowerStateRecords records) {
        return new PowerStateReset(db, thisHost, domains, records);
    }

    private PowerStateReset(Database db, Ref<Host> thisHost, Domains domains, PowerStateRecords records) {
        this.db = db;
        this.thisHost = thisHost;
        this.domains = domains;
        this.records = records;
    }

    public void reset(Ref<VM> vm) {
        DbObject<VM> v = db.require(vm);
        if (v.get(VM.is_control_domain)) throw ApiError.of("CANNOT_RESET_CONTROL_DOMAIN", vm.value());
        VmPowerState state = v.get(VM.power_state);
        if (state == VmPowerState.Running || state == VmPowerState.Paused) {
            Ref<Host> resident = v.get(VM.resident_on);
            if (resident.equals(thisHost)) {
                if (domains.isRunning(vm)) throw ApiError.of("DOMAIN_EXISTS", vm.value());
            } else if (isLive(resident)) {
                throw ApiError.of("HOST_IS_LIVE", resident.value());
            }
        }
        records.stopped(vm, VmPowerState.Halted);
    }

    private boolean isLive(Ref<Host> host) {
        DbObject<Host> h = host.isNull() ? null : db.get(host);
        if (h == null) return false;
        DbObject<Host_metrics> m = db.get(h.get(Host.metrics));
        return m == null || Boolean.TRUE.equals(m.get(Host_metrics.live));
    }
}
