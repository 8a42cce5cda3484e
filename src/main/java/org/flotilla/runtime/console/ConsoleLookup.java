package org.flotilla.runtime.console;

import java.nio.file.Path;
import java.util.Optional;
import org.flotilla.api.HttpRefusal;
import org.flotilla.api.Rbac;
import org.flotilla.api.TunnelRequest;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Access;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.vm.VmLifecycle;

/**
 * Which console a {@code /console} request means, by XAPI's rules: {@code uuid=} of a VM or a console, or {@code ref=}
 * of either (a VM means its default console); the VM running (not paused) on this host. The session is checked before,
 * with the request's task ({@link org.flotilla.api.HttpCalls}); a control domain's console, a login on the host, takes
 * a pool-admin's session besides, as XAPI's console handler asks.
 */
public final class ConsoleLookup {
    /** The console found, and where it leads. */
    sealed interface Found {
        DbObject<Console> console();
    }

    /** A running VM's console, served from the files in its run directory. */
    record OfVm(DbObject<Console> console, Path runDir) implements Found {}

    /** This host's control domain's console: a login on the host. */
    record OfHost(DbObject<Console> console) implements Found {}

    private final Database db;
    private final Domains domains;
    private final Ref<Host> host;

    public ConsoleLookup(Database db, Domains domains, Ref<Host> host) {
        this.db = db;
        this.domains = domains;
        this.host = host;
    }

    /**
     * The console {@code request} names; {@code defaultProtocol}: the console a request naming a VM gets (XAPI's is
     * rfb). Refused with 404 when there is no such console or its VM does not run here, with RBAC_PERMISSION_DENIED
     * when it is a control domain's and the session is no pool-admin's.
     */
    Found find(TunnelRequest request, ConsoleProtocol defaultProtocol) {
        DbObject<Console> console = named(request, defaultProtocol);
        if (console == null) {
            String ref = request.param("ref");
            throw missing(ref != null ? ApiError.handleInvalid(Console.CLASS.name(), ref)
                    : ApiError.of("UUID_INVALID", Console.CLASS.name(), Optional.ofNullable(request.param("uuid")).orElse("")));
        }
        Ref<VM> vmRef = console.get(Console.VM);
        DbObject<VM> vm = db.get(vmRef);
        if (vm != null && vm.get(VM.is_control_domain)) {
            Rbac.require(db, Session.CLASS.ref(request.sessionId()), Access.POOL_ADMIN, Rbac.HOST_CONSOLE);
            if (!host.equals(vm.get(VM.resident_on))) throw missing(ApiError.of("VM_NOT_RESIDENT_HERE", vmRef.value(), host.value()));
            return new OfHost(console);
        }
        VmPowerState state = vm == null ? VmPowerState.Halted : vm.get(VM.power_state);
        // as XAPI: a paused (or suspended, or halted) VM's console is not served
        if (state != VmPowerState.Running) {
            throw missing(ApiError.of("VM_BAD_POWER_STATE", vmRef.value(), VmLifecycle.lower(VmPowerState.Running), VmLifecycle.lower(state)));
        }
        Domain running = domains.get(vmRef);
        if (running == null) throw missing(ApiError.of("VM_NOT_RESIDENT_HERE", vmRef.value(), host.value()));
        return new OfVm(console, running.runDir);
    }

    /** Whether the VM runs here still, for a console followed as it prints. */
    boolean runsHere(Ref<VM> vm) { return domains.isRunning(vm); }

    /** The console a request names: by ref or uuid, of the console itself or of its VM; null if none. */
    private DbObject<Console> named(TunnelRequest request, ConsoleProtocol defaultProtocol) {
        String ref = request.param("ref");
        if (ref != null) {
            Ref<VM> vm = VM.CLASS.ref(ref);
            return db.exists(vm) ? defaultOf(vm, defaultProtocol) : db.get(Console.CLASS.ref(ref));
        }
        String uuid = request.param("uuid");
        if (uuid == null) return null;
        Optional<Ref<VM>> vm = db.refByUuid(VM.CLASS, uuid);
        if (vm.isPresent()) return defaultOf(vm.get(), defaultProtocol);
        return db.refByUuid(Console.CLASS, uuid).map(db::get).orElse(null);
    }

    private DbObject<Console> defaultOf(Ref<VM> vm, ConsoleProtocol protocol) {
        return db.referring(Console.VM, vm).stream().filter(c -> c.get(Console.protocol) == protocol).findFirst().orElse(null);
    }

    private static HttpRefusal missing(ApiError error) { return new HttpRefusal(404, error); }
}
