package org.flotilla.runtime.console;

import java.nio.file.Path;
import java.util.Optional;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;

/**
 * Which console a {@code /console} request means and whether the caller may have it, by XAPI's rules: a valid
 * session; {@code uuid=} of a VM or a console, or {@code ref=} of either (a VM means its default console); the
 * VM running (not paused) on this host.
 */
sealed interface ConsoleLookup {
    /** The console and the run directory of its running VM. */
    record Found(DbObject<Console> console, Path runDir) implements ConsoleLookup {}

    record Missing(TunnelOutcome.Refused refusal) implements ConsoleLookup {}

    /** {@code defaultProtocol}: the console a request naming a VM gets (XAPI's is rfb). */
    static ConsoleLookup of(Database db, Domains domains, TunnelRequest request, ConsoleProtocol defaultProtocol) {
        if (!request.authenticated(db)) return missing(401, "no valid session_id");
        DbObject<Console> console = named(db, request, defaultProtocol);
        if (console == null) return missing(404, "no such console");
        Ref<VM> vmRef = console.get(Console.VM);
        DbObject<VM> vm = db.get(vmRef);
        // as XAPI: a paused (or suspended, or halted) VM's console is not served
        if (vm == null || vm.get(VM.power_state) != VmPowerState.Running) return missing(404, "the VM is not running");
        Domain running = domains.get(vmRef);
        return running == null ? missing(404, "the VM is not running on this host") : new Found(console, running.runDir);
    }

    /** The console a request names: by ref or uuid, of the console itself or of its VM; null if none. */
    private static DbObject<Console> named(Database db, TunnelRequest request, ConsoleProtocol defaultProtocol) {
        String ref = request.param("ref");
        if (ref != null) {
            Ref<VM> vm = VM.CLASS.ref(ref);
            return db.exists(vm) ? defaultOf(db, vm, defaultProtocol) : db.get(Console.CLASS.ref(ref));
        }
        String uuid = request.param("uuid");
        if (uuid == null) return null;
        Optional<Ref<VM>> vm = db.refByUuid(VM.CLASS, uuid);
        if (vm.isPresent()) return defaultOf(db, vm.get(), defaultProtocol);
        return db.refByUuid(Console.CLASS, uuid).map(db::get).orElse(null);
    }

    private static DbObject<Console> defaultOf(Database db, Ref<VM> vm, ConsoleProtocol protocol) {
        return db.referring(Console.VM, vm).stream().filter(c -> c.get(Console.protocol) == protocol).findFirst().orElse(null);
    }

    private static Missing missing(int status, String reason) { return new Missing(new TunnelOutcome.Refused(status, reason)); }
}
