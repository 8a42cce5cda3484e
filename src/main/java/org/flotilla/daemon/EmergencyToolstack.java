package org.flotilla.daemon;

import java.lang.System.Logger.Level;
import org.flotilla.actions.PoolActions;
import org.flotilla.actions.SessionActions;
import org.flotilla.api.Dispatcher;
import org.flotilla.cli.CliEndpoint;
import org.flotilla.api.EmergencyCalls;
import org.flotilla.api.LoginThrottle;
import org.flotilla.api.PasswordFile;
import org.flotilla.api.Sessions;
import org.flotilla.api.Tasks;
import org.flotilla.db.Database;
import org.flotilla.host.LocalHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.pool.PoolSecret;
import org.flotilla.runtime.domain.UefiImages;
import org.flotilla.server.ApiServer;
import org.flotilla.server.HostCertificate;
import org.flotilla.wire.XmlRpc;

/**
 * A member's toolstack in XAPI's emergency mode: it started while no coordinator of the pool database was reachable.
 * Nothing is built on its copy of the database (no VM is reconciled, no record written, since no write can commit); it
 * serves logins to this host alone, reads of its copy and the emergency calls, and restarts as a member once the group
 * has a coordinator again, or as the coordinator after pool.emergency_transition_to_master. Its VMs run on untouched.
 */
final class EmergencyToolstack {
    private static final System.Logger LOG = System.getLogger(EmergencyToolstack.class.getName());

    private EmergencyToolstack() {}

    static Toolstack start(Toolstack.Settings s, PoolMembers members, PasswordFile passwords, HostCertificate cert) {
        Database copy = members.localCopy();
        Ref<Host> host = copy.refByUuid(Host.CLASS, LocalHost.hostUuid(s.stateDir())).orElse(Host.CLASS.nullRef());
        var logins = new LoginThrottle(passwords, s.limits().logins());
        var sessions = new Sessions(copy, logins, () -> host, s.limits().sessions());
        var tasks = new Tasks(copy, () -> host, XmlRpc::writeValue, s.limits().tasks());
        var actions = EmergencyCalls.actions(new SessionActions(sessions, PoolSecret.ensure(s.stateDir())), new PoolActions(members, UefiImages.debian()));
        var dispatcher = new Dispatcher(copy, actions, sessions, tasks);
        dispatcher.admitOnly(new EmergencyCalls(() -> ApiError.of("HOST_IS_SLAVE", members.lastKnownCoordinator())));
        var server = new ApiServer(dispatcher, cert, s.config());
        server.addHandler(MembersHttp.PATH, new MembersHttp(members));
        server.addHandler(CliEndpoint.path(), new CliEndpoint(dispatcher));
        try {
            server.start();
        } catch (RuntimeException e) {
            logins.close();
            members.close();
            throw e;
        }
        members.restartWhenCoordinatorReturns();
        LOG.log(Level.WARNING, "serving in emergency mode: this member reaches no coordinator of its pool");
        return new Toolstack(null, server, members, logins::close);
    }
}
