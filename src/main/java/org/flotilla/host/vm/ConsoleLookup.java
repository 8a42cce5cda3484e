package org.flotilla.host.vm;

import java.nio.file.Path;
import java.util.Optional;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/**
 * Which console a {@code /console} request means and whether the caller may have it, by XAPI's rules: a valid
 * session; {@code uuid=} of a VM or a console, or {@code ref=} of either (a VM means its default console); the
 * VM running (not paused) on this host.
 */
sealed interface ConsoleLookup {
    /** The console and the run directory of its running VM. */
    record Found(DbObject<?> console, Path runDir) implements ConsoleLookup {}

    record Missing(TunnelOutcome.Refused refusal) implements ConsoleLookup {}

    /** {@code defaultProtocol}: the console a request naming a VM gets (XAPI's is rfb). */
    static ConsoleLookup of(VmRuntime runtime, TunnelRequest request, String defaultProtocol) {
        Database db = runtime.db();
        if (!request.authenticated(db)) return missing(401, "no valid session_id");
        DbObject<?> console = named(db, request).map(ref -> console(db, ref, defaultProtocol)).orElse(null);
        if (console == null) return missing(404, "no such console");
        DbObject<?> vm = db.get("VM", console.string("VM"));
        // as XAPI: a paused (or suspended, or halted) VM's console is not served
        if (vm == null || !"Running".equals(vm.string("power_state"))) return missing(404, "the VM is not running");
        return runtime.runDir(console.string("VM"))
                .<ConsoleLookup>map(dir -> new Found(console, dir))
                .orElseGet(() -> missing(404, "the VM is not running on this host"));
    }

    private static Optional<String> named(Database db, TunnelRequest request) {
        if (request.param("ref") != null) return Optional.of(request.param("ref"));
        String uuid = request.param("uuid");
        if (uuid == null) return Optional.empty();
        return db.refByUuid("VM", uuid).or(() -> db.refByUuid("console", uuid));
    }

    private static DbObject<?> console(Database db, String ref, String defaultProtocol) {
        if (db.get("VM", ref) != null) {
            return db.where("console", c -> ref.equals(c.get("VM")) && defaultProtocol.equals(c.get("protocol"))).stream()
                    .findFirst().orElse(null);
        }
        return db.get("console", ref);
    }

    private static Missing missing(int status, String reason) { return new Missing(new TunnelOutcome.Refused(status, reason)); }
}
