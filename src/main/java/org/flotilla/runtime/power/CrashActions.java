package org.flotilla.runtime.power;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Alerts;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VM_metrics;
import org.flotilla.model.xenapi.enums.Cls;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;
import org.flotilla.qemu.QmpException;
import org.flotilla.qemu.QmpFds;
import org.flotilla.runtime.domain.Domain;

/**
 * What follows a guest's crash, per the VM's actions_after_crash, once pvpanic has told QEMU and QEMU has
 * stopped the guest ({@code -action panic=pause}): destroy halts the VM; restart boots it again in the same
 * QEMU as a new domain; preserve keeps the stopped guest for inspection, recorded Paused; the coredump_*
 * actions first write the guest's memory (QMP dump-guest-memory, an ELF core) to
 * {@code <state>/crashdumps/<vm-uuid>/<time>.elf} — where XAPI would use the crash dump SR. As xenopsd does,
 * a guest that crashes less than {@link #setRestartGuard a while} after it booted is not restarted but halted,
 * so that a guest that panics at every boot does not loop. Each crash raises a VM_CRASHED message.
 */
public final class CrashActions {
    private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(30);
    private static final DateTimeFormatter DUMP_NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final System.Logger LOG = System.getLogger(CrashActions.class.getName());

    private final Database db;
    private final PowerStateRecords records;
    private final DomainTeardown teardown;
    private final Alerts alerts;
    private final Path dumpRoot;
    private volatile Duration restartGuard = Duration.ofSeconds(120);

    public CrashActions(Database db, PowerStateRecords records, DomainTeardown teardown, Alerts alerts, Path stateDir) {
        this.db = db;
        this.records = records;
        this.teardown = teardown;
        this.alerts = alerts;
        this.dumpRoot = stateDir.resolve("crashdumps");
    }

    /** How long a guest must have run for a crash to restart it (xenopsd: 120 s). */
    public void setRestartGuard(Duration d) { restartGuard = d; }

    /** The guest of {@code d} panicked and QEMU stopped it. */
    void crashed(Domain d) {
        DbObject<VM> vm = db.get(d.vmRef);
        if (vm == null || d.hasEnded()) return;
        OnCrashBehaviour action = vm.get(VM.actions_after_crash);
        String note = "";
        if (action == OnCrashBehaviour.coredump_and_destroy || action == OnCrashBehaviour.coredump_and_restart) {
            Path dump = dump(d);
            note = dump == null ? "; its memory could not be dumped" : "; its memory was dumped to " + dump;
        }
        boolean restart = action == OnCrashBehaviour.restart || action == OnCrashBehaviour.coredump_and_restart
                || action == OnCrashBehaviour.rename_restart;
        if (restart && ranFor(vm).compareTo(restartGuard) < 0) {
            restart = false;
            note += "; it crashed too soon after booting to be restarted";
        }
        alerts.raise("VM_CRASHED", 2, Cls.VM, d.uuid, "VM '" + vm.get(VM.name_label) + "' crashed (the guest kernel panicked); "
                + "actions_after_crash is " + action.wire() + note);
        try {
            if (restart) {
                d.reboot();
                records.rebooted(d.vmRef);
            } else if (action == OnCrashBehaviour.preserve) {
                records.power(d.vmRef, VmPowerState.Paused);
            } else {
                teardown.stop(d);
            }
        } catch (QmpException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot restart crashed VM " + d.uuid + ": " + e.getMessage() + "; halting it");
            teardown.stop(d);
        }
    }

    private Duration ranFor(DbObject<VM> vm) {
        Ref<VM_metrics> ref = vm.get(VM.metrics);
        DbObject<VM_metrics> m = ref.isNull() ? null : db.get(ref);
        return m != null && m.get(VM_metrics.start_time) instanceof Instant t ? Duration.between(t, Instant.now()) : Duration.ZERO;
    }

    /**
     * QEMU writes the dump through a descriptor of a new file under the state directory, readable by root only,
     * that the daemon made and hands it. Null if it failed.
     */
    private Path dump(Domain d) {
        try {
            Path dir = Files.createDirectories(dumpRoot.resolve(d.uuid));
            Path dest = dir.resolve(DUMP_NAME.format(Instant.now()) + ".elf");
            try (Fd out = Open.createNew(dest)) {
                QmpFds.session(d.fdSocket(), s -> {
                    s.getfd("crashdump", out);
                    return s.execute("dump-guest-memory", Map.of("paging", false, "protocol", "fd:crashdump"), List.of(), DUMP_TIMEOUT);
                });
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(dest);
                throw e;
            }
            return dest;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot dump the memory of crashed VM " + d.uuid + ": " + e);
            return null;
        }
    }
}
