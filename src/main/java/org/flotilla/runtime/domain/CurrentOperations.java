package org.flotilla.runtime.domain;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.flotilla.api.Call;
import org.flotilla.api.CallElsewhere;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.pool.VmHome;
import org.flotilla.qemu.QmpException;
import org.flotilla.vm.VmAllowedOperations;
import org.flotilla.vm.VmLifecycle;

/**
 * Runs a VM operation as XAPI does: checked as {@link VmAllowedOperations#error} checks it, listed in its
 * current_operations (under the task's ref) while it runs, and failing only with API errors.
 */
public final class CurrentOperations {
    public interface Body { void run() throws Exception; }

    private final Database db;

    public CurrentOperations(Database db) { this.db = db; }

    public void run(Call c, Ref<VM> vm, VmOperations op, Body body) { run(c, vm, op, true, body); }

    /**
     * As {@link #run}, for an operation listed as {@code op} that leaves the VM's memory in its QEMU (VDI.pool_migrate
     * mirrors a disk within it, where XAPI migrates the VM to its own host): what the memory's moves require of the
     * VM's devices does not apply.
     */
    public void runInPlace(Call c, Ref<VM> vm, VmOperations op, Body body) { run(c, vm, op, false, body); }

    private void run(Call c, Ref<VM> vm, VmOperations op, boolean memoryMoves, Body body) {
        long commits = db.commitsOfThisThread();
        String key = begin(c, vm, op, memoryMoves);
        boolean elsewhere = false;
        try {
            runMappingErrors(op.wire(), body);
        } catch (CallElsewhere e) {
            elsewhere = true;
            throw e;
        } finally {
            end(vm, key);
            // listing the operation and taking it off again changed nothing: the call may go whole to the other host
            if (elsewhere) db.forgetCommitsSince(commits);
        }
    }

    /** Runs {@code body}, failing only with API errors (an operation's QMP, I/O or interruption as INTERNAL_ERROR). */
    public static void runMappingErrors(String op, Body body) {
        try {
            body.run();
        } catch (ApiError e) {
            throw e;
        } catch (QmpException e) {
            throw ApiError.internal(op + " failed: " + e.getMessage());
        } catch (IOException e) {
            throw ApiError.internal(op + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal(op + " interrupted");
        } catch (Exception e) {
            if (e instanceof RuntimeException r) throw r;
            throw ApiError.internal(op + " failed: " + e);
        }
    }

    /**
     * Operations that were in progress when the daemon stopped will not finish: forgets those of the VMs whose home
     * is {@code host} ({@link VmHome}). Other hosts' VMs keep theirs: they may be under way there.
     */
    public void forgetAll(Ref<Host> host) {
        db.write(tx -> {
            for (DbObject<VM> vm : db.all(VM.CLASS)) {
                if (!VmHome.is(db, vm, host)) continue;
                Map<String, VmOperations> current = vm.get(VM.current_operations);
                if (current != null && !current.isEmpty()) stageCurrent(tx, vm, Map.of());
            }
        });
    }

    /** Nor will the boots scheduled on {@code host}: once what they left is corrected, the VMs are bound nowhere. */
    public void forgetScheduled(Ref<Host> host) {
        db.write(tx -> {
            for (DbObject<VM> vm : db.referring(VM.scheduled_to_be_resident_on, host)) {
                tx.set(vm.self(VM.CLASS), VM.scheduled_to_be_resident_on, Host.CLASS.nullRef());
            }
        });
    }

    /** The key under which a call's operation is listed: its task, or a ref of its own for a synchronous call. */
    public static String key(Call c) { return c.operationKey(); }

    private String begin(Call c, Ref<VM> ref, VmOperations op, boolean memoryMoves) {
        String key = key(c);
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            // XAPI's check_operation_error: the VM's state, what else runs on it, and its devices
            var error = memoryMoves ? VmAllowedOperations.errorIn(tx.db(), vm, op) : Optional.ofNullable(VmLifecycle.check(vm, op));
            error.ifPresent(e -> { throw e; });
            var ops = new LinkedHashMap<>(vm.get(VM.current_operations));
            ops.put(key, op);
            stageCurrent(tx, vm, ops);
        });
        return key;
    }

    private void end(Ref<VM> ref, String key) {
        db.write(tx -> {
            DbObject<VM> vm = db.get(ref);
            if (vm == null) return;
            var ops = new LinkedHashMap<>(vm.get(VM.current_operations));
            ops.remove(key);
            stageCurrent(tx, vm, ops);
        });
    }

    private static void stageCurrent(Database.Tx tx, DbObject<VM> vm, Map<String, VmOperations> ops) {
        VmAllowedOperations.stage(tx, vm, VmAllowedOperations.changes().set(VM.current_operations, ops));
    }
}
