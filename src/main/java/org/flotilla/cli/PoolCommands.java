package org.flotilla.cli;

import java.util.List;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;

/**
 * pool-join, pool-eject, pool-designate-new-master and the commands for a pool whose coordinator is lost
 * (pool-emergency-transition-to-master, pool-emergency-reset-master, pool-recover-slaves), and pool-certificate-sync, with
 * XAPI xe's parameters.
 */
final class PoolCommands {
    /** The commands XAPI's xe runs in a session of the host alone (No_fd_local_session): they work in emergency mode. */
    static final java.util.Set<String> LOCAL_SESSION = java.util.Set.of("pool-emergency-transition-to-master", "pool-emergency-reset-master");

    private static final String EJECT_WARNING = "WARNING: Ejecting a host from the pool will reinitialise that host's database: "
            + "its VMs' records are lost. This operation must be forced (use --force).";

    private PoolCommands() {}

    static List<HandWrittenCommands.Entry> all() {
        return List.of(
                new HandWrittenCommands.Entry(new Command("pool-join", List.of("master-address", "master-username", "master-password"),
                        List.of("force"), "Make this host a member of the pool whose coordinator is at master-address; "
                        + "its toolstack restarts as a member.", false, (ctx, line) -> {
                            Pool.Actions pool = ctx.api().actions(Pool.Actions.class);
                            String address = line.required("master-address");
                            String user = line.required("master-username");
                            String password = line.required("master-password");
                            if (line.flag("force")) pool.join_force(address, user, password);
                            else pool.join(address, user, password);
                            return Output.NOTHING;
                        }), RemoteActions.names(Pool.Actions.class, a -> { a.join(null, null, null); a.join_force(null, null, null); })),
                new HandWrittenCommands.Entry(new Command("pool-eject", List.of("host-uuid"), List.of("force"),
                        "Remove a member from the pool; it restarts as a pool of its own with a fresh database.", false, (ctx, line) -> {
                            if (!line.flag("force")) throw CliFailure.failure(EJECT_WARNING);
                            ctx.api().actions(Pool.Actions.class).eject(ctx.api().byUuid(Host.CLASS, line.required("host-uuid")));
                            return Output.NOTHING;
                        }), RemoteActions.names(Pool.Actions.class, a -> a.eject(null))),
                new HandWrittenCommands.Entry(new Command("pool-designate-new-master", List.of("host-uuid"), List.of(),
                        "Make another member the pool's coordinator.", false, (ctx, line) -> {
                            ctx.api().actions(Pool.Actions.class).designate_new_master(ctx.api().byUuid(Host.CLASS, line.required("host-uuid")));
                            return Output.NOTHING;
                        }), RemoteActions.names(Pool.Actions.class, a -> a.designate_new_master(null))),
                new HandWrittenCommands.Entry(new Command("pool-emergency-transition-to-master", List.of(), List.of(),
                        "Make this member, whose coordinator is lost, the pool's coordinator from its own copy of the pool database.", false,
                        (ctx, line) -> {
                            ctx.api().actions(Pool.Actions.class).emergency_transition_to_master();
                            return Output.NOTHING;
                        }), RemoteActions.names(Pool.Actions.class, Pool.Actions::emergency_transition_to_master)),
                new HandWrittenCommands.Entry(new Command("pool-emergency-reset-master", List.of("master-address"), List.of(),
                        "Tell this member that the pool's coordinator is now at master-address.", false, (ctx, line) -> {
                            ctx.api().actions(Pool.Actions.class).emergency_reset_master(line.required("master-address"));
                            return Output.NOTHING;
                        }), RemoteActions.names(Pool.Actions.class, a -> a.emergency_reset_master(null))),
                new HandWrittenCommands.Entry(new Command("pool-recover-slaves", List.of(), List.of(),
                        "On the coordinator: tell every other reachable host of the pool where the coordinator is; prints those reached.", false,
                        (ctx, line) -> new Output.Values(ctx.api().actions(Pool.Actions.class).recover_slaves().stream()
                                .map(h -> ctx.api().record(h).get(Host.uuid)).toList())),
                        RemoteActions.names(Pool.Actions.class, Pool.Actions::recover_slaves)),
                new HandWrittenCommands.Entry(new Command("pool-certificate-sync", List.of(), List.of(),
                        "Sync the members' TLS certificates from the coordinator to every member.", false, (ctx, line) -> {
                            ctx.api().actions(Pool.Actions.class).certificate_sync();
                            return Output.NOTHING;
                        }), RemoteActions.names(Pool.Actions.class, Pool.Actions::certificate_sync)));
    }
}
