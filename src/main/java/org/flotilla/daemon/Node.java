package org.flotilla.daemon;

import java.nio.file.Path;
import java.util.function.Function;
import org.flotilla.actions.EventActions;
import org.flotilla.actions.HostActions;
import org.flotilla.actions.MessageActions;
import org.flotilla.actions.NetworkActions;
import org.flotilla.actions.PbdActions;
import org.flotilla.actions.PoolActions;
import org.flotilla.actions.PifActions;
import org.flotilla.actions.SessionActions;
import org.flotilla.actions.SrActions;
import org.flotilla.actions.TaskActions;
import org.flotilla.actions.VbdActions;
import org.flotilla.actions.VdiActions;
import org.flotilla.actions.VifActions;
import org.flotilla.actions.VmActions;
import org.flotilla.actions.VtpmActions;
import org.flotilla.api.Alerts;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.Authenticator;
import org.flotilla.api.Dispatcher;
import org.flotilla.api.Events;
import org.flotilla.api.Housekeeping;
import org.flotilla.api.LoginThrottle;
import org.flotilla.api.Sessions;
import org.flotilla.api.Tasks;
import org.flotilla.api.XenApiActions;
import org.flotilla.cli.RemoteActions;
import org.flotilla.db.Database;
import org.flotilla.db.Journal;
import org.flotilla.host.HostEnablement;
import org.flotilla.host.HostFacts;
import org.flotilla.host.HostLocalDb;
import org.flotilla.host.HostPower;
import org.flotilla.host.LocalHost;
import org.flotilla.host.ThisHost;
import org.flotilla.metrics.Metrics;
import org.flotilla.model.Model;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.network.Networks;
import org.flotilla.network.bridge.NetworkBridges;
import org.flotilla.network.linux.LinuxBridges;
import org.flotilla.network.pif.HostNetworks;
import org.flotilla.network.pif.Pifs;
import org.flotilla.network.vif.Taps;
import org.flotilla.network.vif.Vifs;
import org.flotilla.pool.Evacuation;
import org.flotilla.pool.Membership;
import org.flotilla.pool.PoolRecord;
import org.flotilla.pool.PoolSecret;
import org.flotilla.qemu.Accelerator;
import org.flotilla.runtime.VmRuntime;
import org.flotilla.runtime.domain.RuntimeConfig;
import org.flotilla.runtime.migration.MigrationReceipts;
import org.flotilla.storage.QemuImg;
import org.flotilla.storage.Storage;
import org.flotilla.storage.StreamElsewhere;
import org.flotilla.vm.Templates;
import org.flotilla.vm.VmSubsystem;

/**
 * One host's toolstack, assembled: the database, this host's records, and the XenAPI dispatch with
 * every subsystem's handlers. The daemon serves {@link #rpc()} over HTTPS; tests call it directly too.
 */
public final class Node implements AutoCloseable {
    private final Database db;
    private final Ref<Host> host;
    private final Ref<Pool> pool;
    private final Dispatcher dispatcher;
    private final Storage storage;
    private final VmSubsystem vms;
    private final Taps taps;
    private final VmRuntime vmRuntime;
    private final Metrics metrics;
    private final Housekeeping housekeeping;
    private final LoginThrottle logins;
    private final HostPower power;
    private final Sessions sessions;
    private final Tasks tasks;
    private final MigrationReceipts receipts;
    /** Whether {@link #close()} closes the database: only one this node opened from a journal. */
    private final boolean ownsDatabase;

    public Node(Path stateDir, Journal journal, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder) {
        this(stateDir, journal, auth, facts, taskResultEncoder, ApiLimits.defaults());
    }

    public Node(Path stateDir, Journal journal, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder,
                ApiLimits limits) {
        this(stateDir, journal, auth, facts, taskResultEncoder, limits, Membership.ALONE);
    }

    /** A host on its own journal that may join a pool through {@code membership}. */
    public Node(Path stateDir, Journal journal, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder,
                ApiLimits limits, Membership membership) {
        this(stateDir, openedFrom(journal), true, auth, facts, taskResultEncoder, limits, membership);
    }

    /**
     * This host on a database that is already open and may hold other hosts (a pool's): the node adds its own
     * records and acts on its own VMs alone. The caller keeps the database: {@link #close()} leaves it open.
     */
    public Node(Path stateDir, Database db, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder,
                ApiLimits limits) {
        this(stateDir, db, auth, facts, taskResultEncoder, limits, Membership.ALONE);
    }

    /** The same, a member of a pool of several: {@code membership} serves the pool's messages. */
    public Node(Path stateDir, Database db, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder,
                ApiLimits limits, Membership membership) {
        this(stateDir, db, false, auth, facts, taskResultEncoder, limits, membership);
    }

    private static Database openedFrom(Journal journal) {
        Model model = XenApi.model();
        Database db = new Database(model, journal);
        // microseconds since the epoch: above every generation of an earlier run that made fewer than
        // a million changes a second, so event tokens handed out before a restart stay behind
        db.advanceGenerationTo(System.currentTimeMillis() * 1000);
        return db;
    }

    private Node(Path stateDir, Database db, boolean ownsDatabase, Authenticator auth, HostFacts facts,
                 Function<Object, String> taskResultEncoder, ApiLimits limits, Membership membership) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
        this.host = LocalHost.ensure(db, stateDir, facts);
        this.pool = PoolRecord.ensure(db, host);
        this.logins = new LoginThrottle(auth, limits.logins());
        this.sessions = new Sessions(db, logins, () -> host, limits.sessions());
        this.receipts = new MigrationReceipts(db, sessions::loginLike);
        this.tasks = new Tasks(db, () -> host, taskResultEncoder, limits.tasks());
        var alerts = new Alerts(db);
        this.storage = new Storage(db, host, stateDir.resolve("sr"), QemuImg.system());
        storage.ensureDefaultSr(stateDir.resolve("sr").resolve("local"));
        this.vms = new VmSubsystem(db, storage);
        vms.ensureDefaultTemplates(Templates.locateTestGuest());
        var thisHost = new ThisHost(host);
        var bridges = new NetworkBridges(db, LinuxBridges.system());
        var networks = new Networks(db, bridges);
        var pifs = new Pifs(db, thisHost.ref(), bridges, networks);
        this.taps = new Taps(db, thisHost.ref(), bridges);
        new HostNetworks(db, networks, pifs).ensure();
        taps.restore();
        this.vmRuntime = new VmRuntime(db, host, storage, alerts,
                RuntimeConfig.defaults(stateDir, kernelDirs(), Accelerator.detect()));
        vms.afterDestroy(vmRuntime::sweepOwnedFiles);
        vms.setBalloon(vmRuntime::balloon);
        vmRuntime.setVifBackend(taps);
        storage.setOnlineDisks(vmRuntime.onlineDisks());
        vmRuntime.reconcile();
        // after the VMs are known again: a merge a killed daemon left under a running VM is taken up online
        storage.coalescer().start();
        var enablement = new HostEnablement(db, new HostLocalDb(stateDir));
        enablement.atStart(host);
        this.power = new HostPower(db);
        this.metrics = new Metrics(db, host, vmRuntime, stateDir.resolve("rrd"));
        vmRuntime.keepHistoriesIn(metrics);
        metrics.start();
        var actions = new XenApiActions(
                new SessionActions(sessions, PoolSecret.ensure(stateDir)),
                new TaskActions(tasks),
                new EventActions(new Events(db, sessions)),
                new MessageActions(alerts),
                new PoolActions(membership, vmRuntime.config().uefi()),
                new HostActions(metrics.dataSources(), enablement, new Evacuation(db, vmRuntime.placement(), (c, vm, to, options) -> vmRuntime.poolMigrate(c, vm, to)), thisHost, power,
                        receipts, storage, membership),
                new VmActions(vms, vmRuntime, metrics.dataSources()),
                new VbdActions(vms.vbds(), vmRuntime),
                new VifActions(new Vifs(db, bridges), vmRuntime),
                new VtpmActions(vmRuntime.vtpms()),
                new SrActions(storage.srs(), storage.srSmConfig()),
                new PbdActions(storage.pbds()),
                new VdiActions(storage.vdis(), storage.chains(), storage.changedBlocks(), storage.nbdExports(), storage.vdiSmConfig(), vmRuntime),
                new NetworkActions(networks, taps, thisHost),
                new PifActions(pifs, thisHost));
        this.dispatcher = new Dispatcher(db, actions, sessions, tasks);
        // the session is the forwarder's own, opened on the other host: the one the typed call carries is dropped
        storage.setPlugElsewhere((other, pbd) -> RemoteActions.of(PBD.Actions.class,
                (method, params) -> dispatcher.callOn(other, method, params.subList(1, params.size())), null).plug(pbd));
        storage.setVdisElsewhere(other -> RemoteActions.of(VDI.Actions.class,
                (method, params) -> dispatcher.callOn(other, method, params.subList(1, params.size())), null));
        storage.setStreamElsewhere((member, vdi) -> dispatcher.callOn(member, "host.call_plugin",
                java.util.List.of(member.value(), StreamElsewhere.PLUGIN, StreamElsewhere.STREAM, StreamElsewhere.args(vdi))));
        this.housekeeping = new Housekeeping(tasks, sessions, limits.collectionInterval());
    }

    public Dispatcher rpc() { return dispatcher; }

    public Database db() { return db; }

    /** This host. */
    public Ref<Host> host() { return host; }

    /** This host's reference as the wire carries it, for tests that talk the wire. */
    public String hostRef() { return host.value(); }

    /** The pool. */
    public Ref<Pool> pool() { return pool; }

    /** The pool's reference as the wire carries it. */
    public String poolRef() { return pool.value(); }

    public Storage storage() { return storage; }

    public VmSubsystem vms() { return vms; }

    /** The tap devices of this host's attached VIFs. */
    public Taps taps() { return taps; }

    /** This host's VMs as QEMU processes. */
    public VmRuntime vmRuntime() { return vmRuntime; }

    /** The sessions of the pool's database, which calls from outside the XenAPI (another pool's host) present. */
    public Sessions sessions() { return sessions; }

    /** The tasks, which the HTTP handlers beside the API run under when a client names one. */
    public Tasks tasks() { return tasks; }

    /** host.migrate_receive's maps, which give this host's certificate's fingerprint once told it. */
    public MigrationReceipts migrationReceipts() { return receipts; }

    /** host.shutdown, reboot and restart_agent: what the daemon running this node does for them. */
    public HostPower power() { return power; }

    /** This host's performance metrics (RRDs), sampled in the background. */
    public Metrics metrics() { return metrics; }

    /**
     * Where PV_kernel may lie besides {@code <state>/kernels}: the test guest's directory (its template boots
     * from there) and {@code flotilla.kernel-dirs} / FLOTILLA_KERNEL_DIRS (colon-separated).
     */
    private static java.util.List<Path> kernelDirs() {
        String p = System.getProperty("flotilla.kernel-dirs", System.getenv().getOrDefault("FLOTILLA_KERNEL_DIRS", ""));
        var dirs = new java.util.ArrayList<Path>(java.util.Arrays.stream(p.split(":")).filter(s -> !s.isBlank()).map(Path::of).toList());
        dirs.add(Templates.locateTestGuest());
        return dirs;
    }

    @Override
    public void close() {
        housekeeping.close();
        logins.close();
        metrics.close();
        storage.coalescer().close();
        vmRuntime.close(); // the VMs keep running: the next start reattaches them
        if (ownsDatabase) db.close();
    }
}
