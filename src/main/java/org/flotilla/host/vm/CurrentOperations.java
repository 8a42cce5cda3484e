package org.flotilla.host.vm;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.api.Call;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.qemu.QmpException;
import org.flotilla.vm.VmLifecycle;
import org.flotilla.vm.VmOperations;

/**
 * Runs a VM operation as XAPI does: checked against the VM's state and what else runs on it, listed in its
 * current_operations (under the task's ref) while it runs, and failing only with API errors.
 */
final class CurrentOperations {
    interface Body { void run() throws Exception; }

    private final Database db;

    CurrentOperations(Database db) { this.db = db; }

    void run(Call c, String vmRef, String op, Body body) {
        String key = begin(c, vmRef, op);
        try {
            runMappingErrors(op, body);
        } finally {
            end(vmRef, key);
        }
    }

    /** Runs {@code body}, failing only with API errors (an operation's QMP, I/O or interruption as INTERNAL_ERROR). */
    static void runMappingErrors(String op, Body body) {
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

    /** Operations that were in progress when the daemon stopped will not finish: forgets them all. */
    void forgetAll() {
        db.write(tx -> {
            for (DbObject<?> vm : db.all("VM")) {
                if (vm.map("current_operations") != null && !vm.map("current_operations").isEmpty()) {
                    VmOperations.stage(tx, vm, Map.of("current_operations", Map.of()));
                }
            }
        });
    }

    private String begin(Call c, String vmRef, String op) {
        String key = c.task().ref().isNull() ? Refs.newRef() : c.task().ref().value();
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            ApiError e = VmLifecycle.check(vm, op);
            if (e != null) throw e;
            var ops = new LinkedHashMap<String, String>(vm.map("current_operations"));
            ops.put(key, op);
            VmOperations.stage(tx, vm, Map.of("current_operations", ops));
        });
        return key;
    }

    private void end(String vmRef, String key) {
        db.write(tx -> {
            DbObject<?> vm = db.get("VM", vmRef);
            if (vm == null) return;
            var ops = new LinkedHashMap<String, String>(vm.map("current_operations"));
            ops.remove(key);
            VmOperations.stage(tx, vm, Map.of("current_operations", ops));
        });
    }
}
