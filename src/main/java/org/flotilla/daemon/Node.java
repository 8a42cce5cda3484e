package org.flotilla.daemon;

import java.nio.file.Path;
import java.util.function.Function;
import org.flotilla.actions.EventActions;
import org.flotilla.actions.MessageActions;
import org.flotilla.actions.SessionActions;
import org.flotilla.actions.TaskActions;
import org.flotilla.actions.VtpmActions;
import org.flotilla.api.Alerts;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.Authenticator;
import org.flotilla.api.Dispatcher;
import org.flotilla.api.Events;
import org.flotilla.api.Handlers;
import org.flotilla.api.Implementations;
import org.flotilla.api.Housekeeping;
import org.flotilla.api.LoginThrottle;
import org.flotilla.api.Sessions;
import org.flotilla.api.Tasks;
import org.flotilla.db.Database;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.host.HostMessages;
import org.flotilla.host.LocalHost;
import org.flotilla.host.VifBackend;
import org.flotilla.host.metrics.Metrics;
import org.flotilla.host.vm.VmRuntime;
import org.flotilla.model.Model;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Event;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Message;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.network.HostLinks;
import org.flotilla.network.Networking;
import org.flotilla.pool.PoolRecord;
import org.flotilla.qemu.Accelerator;
import org.flotilla.storage.QemuImg;
import org.flotilla.storage.Storage;
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
    private final Networking networking;
    private final VmRuntime vmRuntime;
    private final Metrics metrics;
    private final Housekeeping housekeeping;
    private final LoginThrottle logins;

    public Node(Path stateDir, Journal journal, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder) {
        this(stateDir, journal, auth, facts, taskResultEncoder, ApiLimits.defaults());
    }

    public Node(Path stateDir, Journal journal, Authenticator auth, HostFacts facts, Function<Object, String> taskResultEncoder,
                ApiLimits limits) {
        Model model = XenApi.model();
        this.db = new Database(model, journal);
        // microseconds since the epoch: above every generation of an earlier run that made fewer than
        // a million changes a second, so event tokens handed out before a restart stay behind
        db.advanceGenerationTo(System.currentTimeMillis() * 1000);
        this.host = Host.CLASS.ref(LocalHost.ensure(db, stateDir, facts));
        this.pool = PoolRecord.ensure(db, host);
        String hostRef = host.value();
        var handlers = new Handlers(model);
        var implementations = new Implementations();
        this.logins = new LoginThrottle(auth, limits.logins());
        var sessions = new Sessions(db, logins, () -> host, limits.sessions());
        var tasks = new Tasks(db, () -> host, taskResultEncoder, limits.tasks());
        var alerts = new Alerts(db);
        implementations.add(Session.Actions.class, new SessionActions(sessions))
                .add(Task.Actions.class, new TaskActions(tasks))
                .add(Event.Actions.class, new EventActions(new Events(db, sessions)))
                .add(Message.Actions.class, new MessageActions(alerts));
        HostMessages.register(handlers);
        this.storage = new Storage(db, hostRef, stateDir.resolve("sr"), QemuImg.system());
        storage.register(handlers);
        storage.ensureDefaultSr(stateDir.resolve("sr").resolve("local"));
        this.vms = new VmSubsystem(db, storage);
        vms.register(handlers);
        vms.ensureDefaultTemplates(Templates.locateTestGuest());
        this.networking = new Networking(db, hostRef, HostLinks.system());
        networking.register(handlers);
        networking.ensureHostNetworks();
        networking.ensureBridges();
        this.vmRuntime = new VmRuntime(db, hostRef, storage, alerts,
                VmRuntime.Config.defaults(stateDir, kernelDirs(), Accelerator.detect()));
        vmRuntime.register(handlers);
        implementations.add(VTPM.Actions.class, new VtpmActions(vmRuntime.vtpms()));
        vms.afterDestroy(vmRuntime::sweepOwnedFiles);
        vms.setBalloon(vmRuntime::balloon);
        vmRuntime.setVifBackend(new VifBackend() {
            @Override public TapDevice attach(String vifRef, String vmRef) {
                var t = networking.attach(vifRef, vmRef);
                return new TapDevice(t.name(), t.mac());
            }

            @Override public void detach(String vifRef) { networking.detach(vifRef); }

            @Override public void release(String vifRef) { networking.release(vifRef); }
        });
        storage.setOnlineDisks(vmRuntime.onlineDisks());
        vmRuntime.reconcile();
        this.metrics = new Metrics(db, hostRef, vmRuntime, stateDir.resolve("rrd"));
        metrics.register(handlers);
        metrics.start();
        this.dispatcher = new Dispatcher(db, handlers, implementations, sessions, tasks);
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

    public Networking networking() { return networking; }

    /** This host's VMs as QEMU processes. */
    public VmRuntime vmRuntime() { return vmRuntime; }

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
        vmRuntime.close(); // the VMs keep running: the next start reattaches them
        db.close();
    }
}
