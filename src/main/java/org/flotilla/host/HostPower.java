package org.flotilla.host;

import static org.flotilla.model.xenapi.enums.HostAllowedOperations.power_on;

import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * host.shutdown, reboot, restart_agent and power_on for this host. Flotilla runs on a machine it must not power off,
 * so the toolstack stands for the host: shutdown marks the host not live and stops the daemon, reboot and
 * restart_agent restart the toolstack in place (its VMs go on running, as after any restart of the daemon).
 */
public final class HostPower {
    /** What the daemon running this toolstack does for it; each returns at once and acts after a short pause. */
    public interface Agent {
        void restartSoon();

        void stopSoon();

        /** A toolstack that no daemon runs (tests of one Node): it cannot restart or stop itself. */
        Agent NONE = new Agent() {
            @Override public void restartSoon() { throw unavailable(); }

            @Override public void stopSoon() { throw unavailable(); }

            private ApiError unavailable() { return ApiError.of("OPERATION_NOT_ALLOWED", "no daemon runs this toolstack"); }
        };
    }

    private final Database db;
    private final HostOperations ops;
    private volatile Agent agent = Agent.NONE;

    public HostPower(Database db) {
        this.db = db;
        this.ops = new HostOperations(db);
    }

    public void setAgent(Agent agent) { this.agent = agent; }

    /** host.shutdown: XAPI's checks (disabled, no operation in the way), no VM running here, then not live and stopped. */
    public void shutdown(Call c, Ref<Host> host) {
        powerOff(c, host, HostAllowedOperations.shutdown, () -> {
            Ref<Host_metrics> metrics = db.require(host).get(Host.metrics);
            if (db.get(metrics) != null) db.write(tx -> tx.set(metrics, Host_metrics.live, false));
            agent.stopSoon();
        });
    }

    /** host.reboot: the same checks, then the toolstack starts again as after the machine's reboot. */
    public void reboot(Call c, Ref<Host> host) { powerOff(c, host, HostAllowedOperations.reboot, () -> agent.restartSoon()); }

    public void restartAgent() { agent.restartSoon(); }

    /** host.power_on: no host of a Flotilla pool has a power-on mode, so XAPI's checks refuse it (HOST_IS_LIVE first). */
    public void powerOn(Ref<Host> host) {
        ops.assertValid(host, power_on);
        throw ApiError.of("HOST_POWER_ON_MODE_DISABLED");
    }

    private void powerOff(Call c, Ref<Host> host, HostAllowedOperations op, Runnable body) {
        ops.assertValid(host, op);
        // XAPI's datamodel asks for no running VMs; its shutdown would stop them, which Flotilla leaves to the administrator
        boolean running = db.referring(VM.resident_on, host).stream()
                .anyMatch(vm -> !vm.get(VM.is_control_domain) && vm.get(VM.power_state) != VmPowerState.Halted);
        if (running) throw ApiError.of("HOST_HAS_RESIDENT_VMS", host.value());
        ops.run(c, host, op, () -> {
            body.run();
            return null;
        });
    }
}
