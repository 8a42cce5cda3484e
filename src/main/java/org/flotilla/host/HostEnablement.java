package org.flotilla.host;

import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;

/**
 * host.enabled, as XAPI keeps it (xapi_host.ml, xapi_host_helpers.ml consider_enabling_host): host.disable stops new
 * VMs from starting or resuming on the host; the daemon's next start enables it again unless it was disabled with
 * auto_enable false, which this host remembers in its local database until host.enable.
 */
public final class HostEnablement {
    /** The local database's key: false while the host must stay disabled across restarts (XAPI's Constants.host_auto_enable). */
    static final String AUTO_ENABLE = "host_auto_enable";

    private final Database db;
    private final HostLocalDb local;
    private final HostOperations ops;

    public HostEnablement(Database db, HostLocalDb local) {
        this.db = db;
        this.local = local;
        this.ops = new HostOperations(db);
    }

    /** At the daemon's start: operations the last run left unfinished are forgotten, and the host enabled unless it must not be. */
    public void atStart(Ref<Host> host) {
        ops.forgetAll(host);
        if (local.bool(AUTO_ENABLE).orElse(true)) setEnabled(host, true);
        ops.update(host);
    }

    public void disable(Ref<Host> host, boolean autoEnable) {
        if (Boolean.TRUE.equals(db.require(host).get(Host.enabled))) {
            setEnabled(host, false);
            if (!autoEnable) local.put(AUTO_ENABLE, false);
        }
        ops.update(host);
    }

    public void enable(Call c, Ref<Host> host) {
        ops.run(c, host, HostAllowedOperations.enable, () -> {
            if (!Boolean.TRUE.equals(db.require(host).get(Host.enabled))) {
                local.put(AUTO_ENABLE, true);
                setEnabled(host, true);
            }
            return null;
        });
    }

    private void setEnabled(Ref<Host> host, boolean value) { db.write(tx -> tx.set(host, Host.enabled, value)); }
}
