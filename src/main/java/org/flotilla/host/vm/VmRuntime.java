package org.flotilla.host.vm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.flotilla.api.Alerts;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.VifBackend;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpErrorException;
import org.flotilla.qemu.QmpEvent;
import org.flotilla.qemu.QmpException;
import org.flotilla.storage.OnlineDisks;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmLifecycle;

/**
 * This host's VMs as QEMU processes — what xenopsd is to XAPI. Carries out the power operations and VBD
 * hot-plug through QMP, keeps the VM records true (power_state, resident_on, domid, metrics, consoles,
 * allowed/current operations) and treats the host as the ground truth: QEMU runs detached from the daemon
 * (own session, stdio to files, pid file and QMP socket in {@code <state>/run/<vm-uuid>/}), so a daemon
 * restart leaves VMs running; {@link #reconcile()} finds them again and corrects the database.
 */
public final class VmRuntime implements OnlineDisks, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VmRuntime.class.getName());
    private static final long MIB = 1024 * 1024;

    /**
     * @param stateDir        the daemon's state directory; run dirs under {@code run/}, kernels under {@code kernels/}
     * @param kernelDirs      where PV_kernel / PV_ramdisk may lie (real paths are checked)
     * @param accel           {@code kvm} or {@code tcg}
     * @param user            the unprivileged user QEMU runs as (created if missing)
     * @param shutdownTimeout how long clean_shutdown waits for the guest to power off
     */
    public record Config(Path stateDir, List<Path> kernelDirs, String accel, String qemuBinary, String user,
                         Duration shutdownTimeout, Path uefiCode, Path uefiVarsTemplate) {
        public static Config defaults(Path stateDir, List<Path> extraKernelDirs, String accel) {
            var dirs = new ArrayList<Path>();
            dirs.add(stateDir.resolve("kernels"));
            dirs.addAll(extraKernelDirs);
            return new Config(stateDir, dirs, accel, System.getProperty("flotilla.qemu", "qemu-system-x86_64"),
                    System.getProperty("flotilla.qemu-user", "flotilla-qemu"),
                    Duration.ofSeconds(Long.getLong("flotilla.shutdown-timeout", 60)),
                    Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"));
        }

        public Config withShutdownTimeout(Duration d) {
            return new Config(stateDir, kernelDirs, accel, qemuBinary, user, d, uefiCode, uefiVarsTemplate);
        }
    }

    private final Database db;
    private final String hostRef;
    private final Storage storage;
    private final Alerts alerts;
    private final Config cfg;
    private final Path runRoot;
    private final Map<String, Domain> domains = new ConcurrentHashMap<>();
    private final AtomicLong nextDomid;
    private volatile VifBackend vifs = VifBackend.NONE;
    private volatile Duration shutdownTimeout;
    private volatile boolean closed;
    private int uid = -1;
    private int gid = -1;

    public VmRuntime(Database db, String hostRef, Storage storage, Alerts alerts, Config cfg) {
        this.db = db;
        this.hostRef = hostRef;
        this.storage = storage;
        this.alerts = alerts;
        this.cfg = cfg;
        this.runRoot = cfg.stateDir().resolve("run");
        this.shutdownTimeout = cfg.shutdownTimeout();
        long maxDomid = 0;
        for (DbObject vm : db.all("VM")) if (vm.get("domid") instanceof Long l) maxDomid = Math.max(maxDomid, l);
        this.nextDomid = new AtomicLong(Math.max(maxDomid, readLong(cfg.stateDir().resolve("domid"))) + 1);
    }

    public void setVifBackend(VifBackend backend) { vifs = backend == null ? VifBackend.NONE : backend; }

    public Config config() { return cfg; }

    /** How long clean_shutdown and clean_reboot wait for the guest to power off before failing with VM_SHUTDOWN_TIMEOUT. */
    public void setShutdownTimeout(Duration d) { shutdownTimeout = d; }

    /** The serial log of a running VM, for the console. */
    Optional<Path> serialLog(String vmRef) {
        Domain d = domains.get(vmRef);
        return d == null ? Optional.empty() : Optional.of(QemuCommand.serialLog(d.runDir));
    }

    boolean isRunning(String vmRef) {
        Domain d = domains.get(vmRef);
        return d != null && d.alive();
    }

    Database db() { return db; }

    // ---- registration ---------------------------------------------------------------------------

    public void register(Handlers h) {
        h.on("VM", "start", c -> { start(c, c.ref("vm"), c.bool("start_paused"), "start"); return null; })
         .on("VM", "start_on", c -> {
             if (!hostRef.equals(c.ref("host"))) {
                 throw ApiError.of("OPERATION_NOT_ALLOWED", "VM.start_on: host " + c.ref("host") + " is not this host");
             }
             start(c, c.ref("vm"), c.bool("start_paused"), "start_on");
             return null;
         })
         .on("VM", "pause", c -> { pause(c, c.ref("vm")); return null; })
         .on("VM", "unpause", c -> { unpause(c, c.ref("vm")); return null; })
         .on("VM", "clean_shutdown", c -> { cleanShutdown(c, c.ref("vm"), "clean_shutdown"); return null; })
         .on("VM", "shutdown", c -> { shutdown(c, c.ref("vm")); return null; })
         .on("VM", "hard_shutdown", c -> { hardShutdown(c, c.ref("vm")); return null; })
         .on("VM", "clean_reboot", c -> { reboot(c, c.ref("vm"), true); return null; })
         .on("VM", "hard_reboot", c -> { reboot(c, c.ref("vm"), false); return null; })
         .on("VM", "suspend", c -> { suspend(c, c.ref("vm")); return null; })
         .on("VM", "resume", c -> { resume(c, c.ref("vm"), c.bool("start_paused"), "resume"); return null; })
         .on("VM", "resume_on", c -> {
             if (!hostRef.equals(c.ref("host"))) {
                 throw ApiError.of("OPERATION_NOT_ALLOWED", "VM.resume_on: host " + c.ref("host") + " is not this host");
             }
             resume(c, c.ref("vm"), c.bool("start_paused"), "resume_on");
             return null;
         })
         .on("VBD", "plug", c -> { plug(c.ref("self")); return null; })
         .on("VBD", "unplug", c -> { unplug(c.ref("self"), false); return null; })
         .on("VBD", "unplug_force", c -> { unplug(c.ref("self"), true); return null; })
         .on("VBD", "insert", c -> { insert(c.ref("vbd"), c.ref("vdi")); return null; })
         .on("VBD", "eject", c -> { eject(c.ref("vbd")); return null; });
    }

    // ---- operations: bookkeeping ----------------------------------------------------------------

    /** Checks the operation against the VM's state and records it in current_operations; returns its key. */
    private String begin(Call c, String vmRef, String op) {
        String key = Refs.isNull(c.task().ref()) ? Refs.newRef() : c.task().ref();
        db.write(tx -> {
            DbObject vm = db.require("VM", vmRef);
            ApiError e = VmLifecycle.check(vm, op);
            if (e != null) throw e;
            var ops = new LinkedHashMap<String, String>(vm.map("current_operations"));
            ops.put(key, op);
            updateTx(tx, vm, Map.of("current_operations", ops));
        });
        return key;
    }

    private void end(String vmRef, String key) {
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm == null) return;
            var ops = new LinkedHashMap<String, String>(vm.map("current_operations"));
            ops.remove(key);
            updateTx(tx, vm, Map.of("current_operations", ops));
        });
    }

    private interface Body { void run() throws Exception; }

    private void operation(Call c, String vmRef, String op, Body body) {
        String key = begin(c, vmRef, op);
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
        } finally {
            end(vmRef, key);
        }
    }

    /** Sets fields of a VM and recomputes its allowed_operations, in one transaction. */
    private void update(String vmRef, Map<String, Object> changes) {
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm != null) updateTx(tx, vm, changes);
        });
    }

    private static void updateTx(Database.Tx tx, DbObject vm, Map<String, Object> changes) {
        var fields = new LinkedHashMap<>(vm.fields());
        fields.putAll(changes);
        var next = new DbObject(vm.className(), vm.ref(), fields, vm.createdGen(), vm.modifiedGen());
        List<String> allowed = VmLifecycle.allowedOperations(next);
        changes.forEach((k, v) -> tx.set("VM", vm.ref(), k, v));
        if (!allowed.equals(vm.get("allowed_operations"))) tx.set("VM", vm.ref(), "allowed_operations", allowed);
    }

    /** Stages the allowed_operations of a VM's VBDs for its power state (and, if given, their attachment). */
    private void refreshVbds(Database.Tx tx, String vmRef, String power, Boolean attached) {
        var vmNow = new DbObject("VM", vmRef, Map.of("power_state", power), 0, 0);
        for (DbObject b : db.where("VBD", b -> vmRef.equals(b.get("VM")))) {
            boolean att = attached != null ? attached : b.bool("currently_attached");
            List<String> ops = org.flotilla.vm.VbdRecords.allowedOperations(vmNow, b.bool("empty"), b.string("type"), att);
            if (!ops.equals(b.get("allowed_operations"))) tx.set("VBD", b.ref(), "allowed_operations", ops);
        }
    }

    private void refreshVbd(String vbdRef) {
        db.write(tx -> {
            DbObject b = db.get("VBD", vbdRef);
            DbObject vm = b == null ? null : db.get("VM", b.string("VM"));
            if (vm == null) return;
            var vmNow = new DbObject("VM", vm.ref(), Map.of("power_state", vm.string("power_state")), 0, 0);
            List<String> ops = org.flotilla.vm.VbdRecords.allowedOperations(vmNow, b.bool("empty"), b.string("type"),
                    b.bool("currently_attached"));
            if (!ops.equals(b.get("allowed_operations"))) tx.set("VBD", vbdRef, "allowed_operations", ops);
        });
    }

    /** allowed_operations of every VM made true (at start, for records made by others). */
    public void refreshAllowedOperations() {
        db.write(tx -> {
            for (DbObject vm : db.all("VM")) {
                if (Boolean.TRUE.equals(vm.get("is_control_domain"))) continue;
                List<String> allowed = VmLifecycle.allowedOperations(vm);
                if (!allowed.equals(vm.get("allowed_operations"))) tx.set("VM", vm.ref(), "allowed_operations", allowed);
            }
        });
    }

    private Domain domain(String vmRef) {
        Domain d = domains.get(vmRef);
        if (d == null || !d.alive()) {
            DbObject vm = db.require("VM", vmRef);
            throw ApiError.of("VM_BAD_POWER_STATE", vmRef, "running", VmLifecycle.lower(vm.string("power_state")));
        }
        return d;
    }

    // ---- start ----------------------------------------------------------------------------------

    private void start(Call c, String vmRef, boolean paused, String op) {
        operation(c, vmRef, op, () -> {
            c.task().progress(0.1);
            boot(vmRef, paused, null);
            c.task().progress(1.0);
        });
    }

    /** Starts QEMU for the VM (incoming: a migration stream to load, for resume) and records it running. */
    private Domain boot(String vmRef, boolean paused, String incoming) throws IOException, InterruptedException {
        DbObject vm = db.require("VM", vmRef);
        long staticMax = vm.integer("memory_static_max");
        if (staticMax <= 0) throw ApiError.of("MEMORY_CONSTRAINT_VIOLATION", "memory_static_max must be positive");
        long overhead = overhead(staticMax);
        long needed = staticMax + overhead;
        long available = availableMemory();
        if (needed > available) throw ApiError.of("HOST_NOT_ENOUGH_FREE_MEMORY", Long.toString(needed), Long.toString(available));

        ensureUser();
        // the domain id first: the network names the VM's taps after it (vif<domid>.<device>)
        long domid = newDomid();
        update(vmRef, Map.of("domid", domid));
        try {
            return spawn(vmRef, paused, incoming, staticMax, overhead, domid);
        } catch (IOException | RuntimeException | InterruptedException e) {
            DbObject now = db.get("VM", vmRef);
            if (now != null && !domains.containsKey(vmRef) && (Long) now.get("domid") == domid) {
                detachVifs(vmRef);
                update(vmRef, Map.of("domid", -1L));
            }
            throw e;
        }
    }

    private Domain spawn(String vmRef, boolean paused, String incoming, long staticMax, long overhead, long domid)
            throws IOException, InterruptedException {
        DbObject vm = db.require("VM", vmRef);
        Path runDir = runRoot.resolve(vm.uuid());
        var spec = spec(vm, runDir, incoming);
        prepareRunDir(runDir);
        for (var d : spec.disks()) if (d.image() != null) grantImage(d.image());
        if (spec.uefi()) grant(spec.nvram(), false);

        List<String> argv = QemuCommand.argv(spec);
        if (!spec.nics().isEmpty()) ensureDeviceAccess(Path.of("/dev/net/tun"));
        var cmd = new ArrayList<String>(List.of("setsid", "setpriv", "--reuid=" + uid, "--regid=" + gid));
        // supplementary groups: none, but the group of /dev/kvm when QEMU is to use it
        Integer kvmGroup = cfg.accel().equals("kvm") ? deviceGroup(Path.of("/dev/kvm")) : null;
        cmd.add(kvmGroup == null ? "--clear-groups" : "--groups=" + kvmGroup);
        cmd.addAll(List.of("--inh-caps=-all", "--no-new-privs"));
        cmd.addAll(argv);
        Files.writeString(runDir.resolve("argv"), String.join("\n", argv) + "\n");
        Path log = runDir.resolve("qemu.log");
        Process p = new ProcessBuilder(cmd).directory(runDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true).start();
        Qmp qmp;
        try {
            qmp = Qmp.connect(QemuCommand.qmpSocket(runDir), Duration.ofSeconds(30), () -> !p.isAlive());
        } catch (IOException e) {
            p.waitFor(1, TimeUnit.SECONDS);
            p.destroyForcibly();
            String err = tail(log);
            detachVifs(vmRef);
            throw ApiError.internal("QEMU did not start: " + (err.isBlank() ? e.getMessage() : err.strip()));
        }
        Domain d = new Domain(vmRef, vm.uuid(), runDir, p.pid(), p.toHandle(), qmp);
        try {
            if (incoming != null) awaitIncoming(d);
            domains.put(vmRef, d);
            watch(d);
            if (!paused) qmp.execute("cont");
            long target = vm.integer("memory_target") > 0 ? vm.integer("memory_target") : vm.integer("memory_dynamic_max");
            if (target > 0 && target < staticMax) {
                try { qmp.execute("balloon", Map.of("value", target)); } catch (QmpErrorException ignored) { }
            }
            recordRunning(vm, d, paused, overhead, domid);
            return d;
        } catch (IOException | RuntimeException | InterruptedException e) {
            d.expectExit = true;
            domains.remove(vmRef, d);
            kill(d);
            // a failed resume leaves the VM suspended (its image is still there); a failed start, halted
            cleanupAfterExit(vmRef, d, incoming != null ? "Suspended" : "Halted");
            throw e;
        }
    }

    private QemuCommand.Spec spec(DbObject vm, Path runDir, String incoming) {
        String vmRef = vm.ref();
        // disks
        var disks = new ArrayList<QemuCommand.Disk>();
        var seen = new HashSet<String>();
        List<DbObject> vbds = db.where("VBD", b -> vmRef.equals(b.get("VM")));
        for (DbObject b : vbds) {
            String dev = b.string("userdevice");
            if (dev == null || !dev.matches("\\d{1,3}")) throw ApiError.of("INVALID_DEVICE", String.valueOf(dev));
            if (!seen.add(dev)) throw ApiError.of("DEVICE_ALREADY_EXISTS", dev);
        }
        for (DbObject b : vbds) disks.add(disk(b));
        // kernel
        String kernel = blankToNull(vm.string("PV_kernel"));
        String initrd = blankToNull(vm.string("PV_ramdisk"));
        if (kernel != null) {
            kernel = allowedBootFile(kernel).toString();
            if (initrd != null) initrd = allowedBootFile(initrd).toString();
        } else {
            initrd = null;
        }
        Map<String, String> platform = vm.map("platform");
        boolean uefi = platform != null && "uefi".equalsIgnoreCase(platform.get("firmware"))
                || vm.<String, String>map("HVM_boot_params").getOrDefault("firmware", "").equalsIgnoreCase("uefi");
        Path nvram = null;
        if (uefi && kernel == null) {
            nvram = cfg.stateDir().resolve("nvram").resolve(vm.uuid() + ".fd");
            try {
                if (!Files.exists(nvram)) {
                    Files.createDirectories(nvram.getParent());
                    traversable(nvram.getParent());
                    Files.copy(cfg.uefiVarsTemplate(), nvram);
                }
            } catch (IOException e) {
                throw ApiError.internal("cannot make the UEFI variable store " + nvram + ": " + e);
            }
        } else {
            uefi = false;
        }
        // NICs
        var nics = new ArrayList<QemuCommand.Nic>();
        for (DbObject vif : db.where("VIF", v -> vmRef.equals(v.get("VM")))) {
            VifBackend.TapDevice tap = vifs.attach(vif.ref(), vmRef);
            String mac = tap.mac() == null || tap.mac().isBlank() ? vif.string("MAC") : tap.mac();
            nics.add(new QemuCommand.Nic(vif.string("device"), tap.name(), mac));
        }
        long memMiB = (vm.integer("memory_static_max") + MIB - 1) / MIB;
        long vcpus = Math.max(1, vm.integer("VCPUs_at_startup"));
        return new QemuCommand.Spec(vm.uuid(), cfg.qemuBinary(), cfg.accel(), memMiB, vcpus, Math.max(vcpus, vm.integer("VCPUs_max")),
                kernel, initrd, kernel == null ? null : vm.string("PV_args"), uefi, cfg.uefiCode(), nvram,
                vm.<String, String>map("HVM_boot_params").get("order"), disks, nics, runDir, incoming);
    }

    private QemuCommand.Disk disk(DbObject b) {
        boolean cd = "CD".equals(b.string("type"));
        if ("Floppy".equals(b.string("type"))) throw ApiError.of("VALUE_NOT_SUPPORTED", "type", "Floppy", "no floppy drives");
        String vdi = b.string("VDI");
        boolean empty = Boolean.TRUE.equals(b.get("empty")) || Refs.isNull(vdi);
        if (empty && !cd) throw ApiError.of("VM_REQUIRES_VDI", b.string("VM"), vdi);
        if (empty) return new QemuCommand.Disk(b.string("userdevice"), true, null, null, true, b.bool("bootable"));
        DbObject v = db.get("VDI", vdi);
        if (v == null) throw ApiError.of("VM_REQUIRES_VDI", b.string("VM"), vdi);
        Storage.Attachment a;
        try {
            a = storage.attachment(vdi);
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot attach VDI " + vdi + ": " + e.getMessage());
        }
        if (!Files.isRegularFile(a.image())) throw ApiError.of("VDI_MISSING", v.string("SR"), vdi);
        boolean ro = cd || a.readOnly() || "RO".equals(b.string("mode"));
        return new QemuCommand.Disk(b.string("userdevice"), cd, a.image(), a.format(), ro, b.bool("bootable"));
    }

    /** A kernel or ramdisk path, if it lies (after resolving links) under an allowed directory. */
    private Path allowedBootFile(String file) {
        Path real;
        try {
            real = Path.of(file).toRealPath();
        } catch (IOException | RuntimeException e) {
            throw ApiError.of("PERMISSION_DENIED", "boot file " + file + " does not exist or is not readable");
        }
        for (Path dir : cfg.kernelDirs()) {
            try {
                if (Files.isDirectory(dir) && real.startsWith(dir.toRealPath()) && Files.isRegularFile(real)) return real;
            } catch (IOException ignored) { }
        }
        throw ApiError.of("PERMISSION_DENIED", "boot file " + file + " is not under an allowed kernel directory " + cfg.kernelDirs());
    }

    private void awaitIncoming(Domain d) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            JsonNode m = d.qmp.execute("query-migrate");
            String status = m.path("status").asText("");
            if (status.equals("completed")) return;
            if (status.equals("failed") || status.equals("cancelled")) {
                throw ApiError.internal("loading the suspend image failed: " + m.path("error-desc").asText(status));
            }
            JsonNode st = d.qmp.execute("query-status");
            String run = st.path("status").asText("");
            if (!run.equals("inmigrate") && !run.equals("prelaunch") && status.isEmpty()) return;
            if (System.nanoTime() > deadline) throw ApiError.internal("loading the suspend image timed out");
            Thread.sleep(20);
        }
    }

    private void recordRunning(DbObject vm, Domain d, boolean paused, long overhead, long domid) {
        String vmRef = vm.ref();
        String console = Refs.newRef();
        String hostAddress = Optional.ofNullable(db.get("host", hostRef)).map(h -> h.string("address")).orElse("localhost");
        db.write(tx -> {
            DbObject cur = db.require("VM", vmRef);
            String metrics = cur.string("metrics");
            var m = new LinkedHashMap<String, Object>();
            m.put("memory_actual", cur.integer("memory_static_max"));
            m.put("VCPUs_number", Math.max(1, cur.integer("VCPUs_at_startup")));
            m.put("start_time", Instant.now());
            m.put("last_updated", Instant.now());
            m.put("state", List.of());
            m.put("hvm", true);
            m.put("current_domain_type", "hvm");
            if (Refs.isNull(metrics) || db.get("VM_metrics", metrics) == null) {
                metrics = Refs.newRef();
                var full = new LinkedHashMap<String, Object>(m);
                full.put("uuid", Refs.newUuid());
                full.put("install_time", Instant.now());
                tx.put("VM_metrics", metrics, full);
            } else {
                String mr = metrics;
                m.forEach((k, v) -> tx.set("VM_metrics", mr, k, v));
            }
            for (DbObject c : db.where("console", c -> vmRef.equals(c.get("VM")))) tx.delete("console", c.ref());
            String cuuid = Refs.newUuid();
            tx.put("console", console, Map.of("uuid", cuuid, "protocol", "vt100", "VM", vmRef,
                    "location", "https://" + hostAddress + "/console?uuid=" + cuuid, "other_config", Map.of()));
            for (DbObject b : db.where("VBD", b -> vmRef.equals(b.get("VM")))) {
                if (!b.bool("currently_attached")) tx.set("VBD", b.ref(), "currently_attached", true);
            }
            for (DbObject v : db.where("VIF", v -> vmRef.equals(v.get("VM")))) {
                if (!Boolean.TRUE.equals(v.get("currently_attached"))) tx.set("VIF", v.ref(), "currently_attached", true);
            }
            refreshVbds(tx, vmRef, paused ? "Paused" : "Running", true);
            var changes = new LinkedHashMap<String, Object>();
            changes.put("power_state", paused ? "Paused" : "Running");
            changes.put("resident_on", hostRef);
            changes.put("domid", domid);
            changes.put("metrics", metrics);
            changes.put("memory_overhead", overhead);
            changes.put("domarch", "x64");
            updateTx(tx, cur, changes);
        });
        refreshHostMemory();
    }

    private long newDomid() {
        long id = nextDomid.getAndIncrement();
        try {
            Files.writeString(cfg.stateDir().resolve("domid"), Long.toString(id) + "\n");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record domid: " + e);
        }
        return id;
    }

    // ---- pause / shutdown / reboot --------------------------------------------------------------

    private void pause(Call c, String vmRef) {
        operation(c, vmRef, "pause", () -> {
            domain(vmRef).qmp.execute("stop");
            setPower(vmRef, "Paused");
        });
    }

    private void unpause(Call c, String vmRef) {
        operation(c, vmRef, "unpause", () -> {
            domain(vmRef).qmp.execute("cont");
            setPower(vmRef, "Running");
        });
    }

    private void setPower(String vmRef, String power) {
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm == null) return;
            refreshVbds(tx, vmRef, power, null);
            updateTx(tx, vm, Map.of("power_state", power));
        });
    }

    private void hardShutdown(Call c, String vmRef) {
        DbObject vm = db.require("VM", vmRef);
        if ("Suspended".equals(vm.string("power_state"))) {
            operation(c, vmRef, "hard_shutdown", () -> discardSuspendImage(vmRef));
            return;
        }
        operation(c, vmRef, "hard_shutdown", () -> {
            Domain d = domains.get(vmRef);
            if (d != null) {
                d.expectExit = true;
                kill(d);
                cleanupAfterExit(vmRef, d);
            } else {
                markHalted(vmRef);
            }
        });
    }

    private void cleanShutdown(Call c, String vmRef, String op) {
        operation(c, vmRef, op, () -> {
            Domain d = domain(vmRef);
            awaitGuestPowerOff(d, vmRef);
            d.expectExit = true;
            quit(d);
            cleanupAfterExit(vmRef, d);
        });
    }

    private void shutdown(Call c, String vmRef) {
        DbObject vm = db.require("VM", vmRef);
        String state = vm.string("power_state");
        if (!"Running".equals(state)) { hardShutdown(c, vmRef); return; }
        operation(c, vmRef, "shutdown", () -> {
            Domain d = domain(vmRef);
            try {
                awaitGuestPowerOff(d, vmRef);
            } catch (ApiError e) {
                if (!e.code().equals("VM_SHUTDOWN_TIMEOUT")) throw e;
            }
            d.expectExit = true;
            if (d.alive()) quit(d);
            cleanupAfterExit(vmRef, d);
        });
    }

    /** ACPI power button, then wait for the guest to power off (QEMU stays, stopped: -no-shutdown). */
    private void awaitGuestPowerOff(Domain d, String vmRef) throws IOException {
        long mark = d.qmp.eventMark();
        d.expectGuestShutdown = true;
        try {
            d.qmp.execute("system_powerdown");
            try {
                d.qmp.awaitEvent(mark, "SHUTDOWN", e -> true, shutdownTimeout);
            } catch (TimeoutException e) {
                throw ApiError.of("VM_SHUTDOWN_TIMEOUT", vmRef, Long.toString(shutdownTimeout.toSeconds()));
            } catch (QmpException e) {
                if (d.alive()) throw e; // QEMU went away: the VM is off either way
            }
        } finally {
            d.expectGuestShutdown = false;
        }
    }

    private void reboot(Call c, String vmRef, boolean clean) {
        operation(c, vmRef, clean ? "clean_reboot" : "hard_reboot", () -> {
            Domain d = domain(vmRef);
            if (clean) awaitGuestPowerOff(d, vmRef);
            d.expectGuestShutdown = true;
            try {
                d.qmp.execute("system_reset");
                d.qmp.execute("cont");
            } finally {
                d.expectGuestShutdown = false;
            }
            rebooted(vmRef);
        });
    }

    /** A new boot in the same QEMU: XAPI gives the domain a new id and the metrics a new start time. */
    private void rebooted(String vmRef) {
        long domid = newDomid();
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm == null) return;
            String m = vm.string("metrics");
            if (!Refs.isNull(m) && db.get("VM_metrics", m) != null) tx.set("VM_metrics", m, "start_time", Instant.now());
            updateTx(tx, vm, Map.of("power_state", "Running", "domid", domid));
        });
    }

    // ---- suspend / resume -----------------------------------------------------------------------

    private void suspend(Call c, String vmRef) {
        operation(c, vmRef, "suspend", () -> {
            Domain d = domain(vmRef);
            String sr = suspendSr(vmRef);
            Path tmpDir = cfg.stateDir().resolve("suspend-tmp");
            Files.createDirectories(tmpDir);
            Path raw = tmpDir.resolve(d.uuid + ".raw");
            Path sock = d.runDir.resolve("migrate.sock");
            Files.deleteIfExists(sock);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(sock));
                Files.setOwner(sock, lookupUser());
                Future<Long> copy = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                    try (SocketChannel ch = server.accept(); InputStream in = Channels.newInputStream(ch);
                         OutputStream out = Files.newOutputStream(raw)) {
                        return in.transferTo(out);
                    }
                });
                c.task().progress(0.1);
                d.qmp.execute("migrate", Map.of("uri", "unix:" + sock));
                awaitMigration(d);
                long bytes = copy.get(5, TimeUnit.MINUTES);
                c.task().progress(0.7);
                d.expectExit = true;
                quit(d);
                cleanupAfterExit(vmRef, d, "Suspended");
                long size = Math.max(MIB, (bytes + MIB - 1) / MIB * MIB);
                String vdi = storage.createVdi(new LinkedHashMap<>(Map.of("SR", sr, "name_label", "Suspend image",
                        "name_description", "Suspend image of VM " + d.uuid, "virtual_size", size, "type", "suspend",
                        "other_config", Map.of("flotilla-suspend-bytes", Long.toString(bytes)))));
                try {
                    run(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", storage.attachment(vdi).format(), raw.toString(),
                            storage.attachment(vdi).image().toString()));
                } catch (RuntimeException e) {
                    storage.destroyVdi(vdi);
                    throw e;
                }
                update(vmRef, Map.of("suspend_VDI", vdi));
            } catch (java.util.concurrent.ExecutionException e) {
                throw ApiError.internal("suspend: receiving the memory image failed: " + e.getCause());
            } finally {
                Files.deleteIfExists(raw);
                Files.deleteIfExists(sock);
            }
        });
    }

    private void awaitMigration(Domain d) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            JsonNode m = d.qmp.execute("query-migrate");
            String status = m.path("status").asText("");
            if (status.equals("completed")) return;
            if (status.equals("failed") || status.equals("cancelled")) {
                throw ApiError.internal("saving the VM's memory failed: " + m.path("error-desc").asText(status));
            }
            if (System.nanoTime() > deadline) {
                try { d.qmp.execute("migrate_cancel"); } catch (QmpException ignored) { }
                throw ApiError.internal("saving the VM's memory timed out");
            }
            Thread.sleep(10);
        }
    }

    private String suspendSr(String vmRef) {
        DbObject vm = db.require("VM", vmRef);
        String sr = vm.string("suspend_SR");
        if (!Refs.isNull(sr) && db.get("SR", sr) != null) return sr;
        for (DbObject pool : db.all("pool")) {
            for (String f : List.of("suspend_image_SR", "default_SR")) {
                String s = pool.string(f);
                if (!Refs.isNull(s) && db.get("SR", s) != null) return s;
            }
        }
        throw ApiError.of("VM_NO_SUSPEND_SR", vmRef);
    }

    private void resume(Call c, String vmRef, boolean paused, String op) {
        operation(c, vmRef, op, () -> {
            DbObject vm = db.require("VM", vmRef);
            String vdi = vm.string("suspend_VDI");
            if (Refs.isNull(vdi) || db.get("VDI", vdi) == null) throw ApiError.of("VM_REQUIRES_VDI", vmRef, vdi);
            Storage.Attachment a = storage.attachment(vdi);
            if (!Files.isRegularFile(a.image())) throw ApiError.of("VDI_MISSING", db.get("VDI", vdi).string("SR"), vdi);
            Path tmpDir = cfg.stateDir().resolve("suspend-tmp");
            Files.createDirectories(tmpDir);
            Path raw = tmpDir.resolve(vm.uuid() + ".raw");
            try {
                run(List.of("qemu-img", "convert", "-f", a.format(), "-O", "raw", a.image().toString(), raw.toString()));
                Path runDir = runRoot.resolve(vm.uuid());
                Path sock = runDir.resolve("incoming.sock");
                c.task().progress(0.3);
                var feeder = Thread.ofVirtual().start(() -> feed(sock, raw));
                try {
                    boot(vmRef, paused, "unix:" + sock);
                } finally {
                    feeder.interrupt();
                    feeder.join(2000);
                }
            } finally {
                Files.deleteIfExists(raw);
            }
            update(vmRef, Map.of("suspend_VDI", ClassDef.NULL_REF));
            try { storage.destroyVdi(vdi); } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot destroy suspend image " + vdi + ": " + e);
            }
        });
    }

    /** Connects to QEMU's incoming socket once it listens and sends the saved stream. */
    private static void feed(Path sock, Path raw) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            if (Files.exists(sock)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(sock));
                    try (OutputStream out = Channels.newOutputStream(ch); InputStream in = Files.newInputStream(raw)) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // QEMU closes once it has read the end of the stream: trailing padding is not needed
                    }
                    return;
                } catch (IOException e) {
                    // not listening yet
                }
            }
            try { Thread.sleep(5); } catch (InterruptedException e) { return; }
        }
    }

    private void discardSuspendImage(String vmRef) {
        DbObject vm = db.require("VM", vmRef);
        String vdi = vm.string("suspend_VDI");
        update(vmRef, Map.of("power_state", "Halted", "suspend_VDI", ClassDef.NULL_REF));
        if (!Refs.isNull(vdi) && db.get("VDI", vdi) != null) {
            try { storage.destroyVdi(vdi); } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot destroy suspend image " + vdi + ": " + e);
            }
        }
    }

    // ---- the end of a QEMU ----------------------------------------------------------------------

    private void quit(Domain d) throws InterruptedException {
        try {
            d.qmp.execute("quit", Map.of(), Duration.ofSeconds(5));
        } catch (QmpException e) {
            // it may close the connection before answering
        }
        if (!waitExit(d, Duration.ofSeconds(10))) kill(d);
    }

    private static void kill(Domain d) {
        d.process.destroyForcibly();
        waitExit(d, Duration.ofSeconds(10));
        d.qmp.close();
    }

    private static boolean waitExit(Domain d, Duration t) {
        try {
            d.process.onExit().get(t.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !d.process.isAlive();
        }
    }

    private void cleanupAfterExit(String vmRef, Domain d) { cleanupAfterExit(vmRef, d, "Halted"); }

    /** After the QEMU of {@code d} has gone: records the VM halted (or suspended) and removes its run dir. */
    private void cleanupAfterExit(String vmRef, Domain d, String state) {
        if (!d.ended.compareAndSet(false, true)) return;
        domains.remove(vmRef, d);
        d.qmp.close();
        markHalted(vmRef, state);
        deleteTree(d.runDir);
    }

    private void markHalted(String vmRef) { markHalted(vmRef, "Halted"); }

    private void markHalted(String vmRef, String state) {
        detachVifs(vmRef);
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm == null) return;
            for (DbObject c : db.where("console", c -> vmRef.equals(c.get("VM")))) tx.delete("console", c.ref());
            for (DbObject b : db.where("VBD", b -> vmRef.equals(b.get("VM")))) {
                if (b.bool("currently_attached")) tx.set("VBD", b.ref(), "currently_attached", false);
            }
            for (DbObject v : db.where("VIF", v -> vmRef.equals(v.get("VM")))) {
                if (Boolean.TRUE.equals(v.get("currently_attached"))) tx.set("VIF", v.ref(), "currently_attached", false);
            }
            String m = vm.string("metrics");
            if (!Refs.isNull(m) && db.get("VM_metrics", m) != null) {
                tx.set("VM_metrics", m, "memory_actual", 0L);
                tx.set("VM_metrics", m, "VCPUs_number", 0L);
                tx.set("VM_metrics", m, "last_updated", Instant.now());
            }
            refreshVbds(tx, vmRef, state, false);
            var changes = new LinkedHashMap<String, Object>();
            changes.put("power_state", state);
            changes.put("resident_on", ClassDef.NULL_REF);
            changes.put("domid", -1L);
            updateTx(tx, vm, changes);
        });
        refreshHostMemory();
    }

    private void detachVifs(String vmRef) {
        for (DbObject v : db.where("VIF", v -> vmRef.equals(v.get("VM")))) {
            try { vifs.detach(v.ref()); } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot detach VIF " + v.ref() + ": " + e);
            }
        }
    }

    /** Follows a QEMU: guest power-off and reboot per the VM's actions_after_*, and its death. */
    private void watch(Domain d) {
        d.qmp.addListener(e -> onEvent(d, e));
        d.process.onExit().thenRun(() -> Thread.ofVirtual().start(() -> onExit(d)));
    }

    private void onEvent(Domain d, QmpEvent e) {
        if (closed) return;
        if (e.name().equals("BALLOON_CHANGE") && e.data().has("actual")) {
            long actual = e.data().get("actual").asLong();
            db.write(tx -> {
                DbObject vm = db.get("VM", d.vmRef);
                String m = vm == null ? null : vm.string("metrics");
                if (m != null && db.get("VM_metrics", m) != null) {
                    tx.set("VM_metrics", m, "memory_actual", actual);
                    tx.set("VM_metrics", m, "last_updated", Instant.now());
                }
            });
            return;
        }
        if (d.expectExit || d.expectGuestShutdown) return;
        boolean guest = "true".equals(e.dataText("guest"));
        if (!guest) return;
        DbObject vm = db.get("VM", d.vmRef);
        if (vm == null) return;
        switch (e.name()) {
            case "SHUTDOWN" -> Thread.ofVirtual().start(() -> {
                if ("restart".equals(vm.string("actions_after_shutdown"))) {
                    restartInPlace(d);
                } else {
                    d.expectExit = true;
                    try { quit(d); } catch (InterruptedException ie) { Thread.currentThread().interrupt(); }
                    cleanupAfterExit(d.vmRef, d);
                    alerts.raise("VM_SHUTDOWN", 5, "VM", d.uuid, "VM '" + vm.string("name_label") + "' shut down");
                }
            });
            case "RESET" -> Thread.ofVirtual().start(() -> {
                if ("destroy".equals(vm.string("actions_after_reboot"))) {
                    d.expectExit = true;
                    try { quit(d); } catch (InterruptedException ie) { Thread.currentThread().interrupt(); }
                    cleanupAfterExit(d.vmRef, d);
                } else {
                    rebooted(d.vmRef);
                    alerts.raise("VM_REBOOTED", 5, "VM", d.uuid, "VM '" + vm.string("name_label") + "' rebooted");
                }
            });
            default -> { }
        }
    }

    private void restartInPlace(Domain d) {
        try {
            d.qmp.execute("system_reset");
            d.qmp.execute("cont");
            rebooted(d.vmRef);
        } catch (QmpException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot restart VM " + d.uuid + ": " + ex.getMessage());
        }
    }

    private void onExit(Domain d) {
        if (closed || d.expectExit || d.ended.get()) return;
        DbObject vm = db.get("VM", d.vmRef);
        String name = vm == null ? d.uuid : vm.string("name_label");
        cleanupAfterExit(d.vmRef, d);
        alerts.raise("VM_CRASHED", 2, "VM", d.uuid, "VM '" + name + "' crashed: its QEMU (pid " + d.pid + ") exited unexpectedly");
    }

    // ---- reconcile: the host is the ground truth ------------------------------------------------

    /**
     * Finds the QEMUs that run for this host (pid file + QMP socket in each run dir), reattaches them, and
     * corrects the database: VMs recorded running without a QEMU become Halted (with a VM_CRASHED alert),
     * QEMUs of a VM recorded Halted are adopted, QEMUs without a VM are killed.
     */
    public void reconcile() {
        try {
            Files.createDirectories(runRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        traversable(cfg.stateDir());
        traversable(runRoot);
        // operations that were in progress when the daemon stopped will not finish
        db.write(tx -> {
            for (DbObject vm : db.all("VM")) {
                if (vm.map("current_operations") != null && !vm.map("current_operations").isEmpty()) {
                    updateTx(tx, vm, Map.of("current_operations", Map.of()));
                }
            }
        });
        try (var dirs = Files.list(runRoot)) {
            for (Path dir : dirs.toList()) adopt(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + runRoot + ": " + e);
        }
        for (DbObject vm : db.all("VM")) {
            if (Boolean.TRUE.equals(vm.get("is_control_domain"))) continue;
            String ps = vm.string("power_state");
            boolean here = hostRef.equals(vm.string("resident_on"));
            if ((ps.equals("Running") || ps.equals("Paused")) && (here || Refs.isNull(vm.string("resident_on")))
                    && !domains.containsKey(vm.ref())) {
                markHalted(vm.ref());
                alerts.raise("VM_CRASHED", 2, "VM", vm.uuid(),
                        "VM '" + vm.string("name_label") + "' was found not running when the host agent started");
            }
        }
        refreshAllowedOperations();
        refreshHostMemory();
    }

    private void adopt(Path dir) {
        String uuid = dir.getFileName().toString();
        long pid = readLong(QemuCommand.pidFile(dir));
        Optional<ProcessHandle> ph = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        boolean isQemu = ph.isPresent() && ph.get().isAlive() && cmdline(pid).contains(uuid);
        if (!isQemu) {
            deleteTree(dir);
            return;
        }
        ProcessHandle p = ph.get();
        Optional<String> vmRef = db.refByUuid("VM", uuid);
        Qmp qmp;
        try {
            qmp = Qmp.connect(QemuCommand.qmpSocket(dir), Duration.ofSeconds(5), () -> !p.isAlive());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of " + uuid + " has no usable QMP: killing it");
            p.destroyForcibly();
            deleteTree(dir);
            return;
        }
        Domain d = new Domain(vmRef.orElse(null), uuid, dir, pid, p, qmp);
        if (vmRef.isEmpty()) {
            d.expectExit = true;
            kill(d);
            deleteTree(dir);
            return;
        }
        String status;
        try {
            status = qmp.execute("query-status").path("status").asText("");
        } catch (QmpException e) {
            status = "";
        }
        if (status.equals("shutdown") || status.equals("guest-panicked") || status.equals("internal-error") || status.isEmpty()) {
            // the guest powered off (or died) while nobody watched: it is halted
            d.expectExit = true;
            try { quit(d); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            domains.put(d.vmRef, d);
            cleanupAfterExit(d.vmRef, d);
            return;
        }
        domains.put(d.vmRef, d);
        watch(d);
        boolean paused = status.equals("paused");
        DbObject vm = db.require("VM", d.vmRef);
        String ps = vm.string("power_state");
        boolean consistent = (ps.equals("Running") || ps.equals("Paused")) && hostRef.equals(vm.string("resident_on"))
                && !db.where("console", c -> d.vmRef.equals(c.get("VM"))).isEmpty();
        if (consistent) {
            String want = paused ? "Paused" : "Running";
            if (!want.equals(ps)) update(d.vmRef, Map.of("power_state", want));
        } else {
            long domid = vm.get("domid") instanceof Long l && l > 0 ? l : newDomid();
            recordRunning(vm, d, paused, overhead(vm.integer("memory_static_max")), domid);
        }
        if (!d.alive()) onExit(d);
    }

    // ---- VBD hot-plug and removable media -------------------------------------------------------

    private void plug(String vbdRef) {
        DbObject b = db.require("VBD", vbdRef);
        String vmRef = b.string("VM");
        if (b.bool("currently_attached")) throw ApiError.of("DEVICE_ALREADY_ATTACHED", vbdRef);
        Domain d = domain(vmRef);
        for (DbObject o : db.where("VBD", o -> vmRef.equals(o.get("VM")) && o.bool("currently_attached"))) {
            if (o.string("userdevice").equals(b.string("userdevice"))) throw ApiError.of("DEVICE_ALREADY_EXISTS", b.string("userdevice"));
        }
        QemuCommand.Disk disk = disk(b);
        if (!disk.cd() && QemuCommand.slot(disk) >= QemuCommand.DISK_PORTS) {
            throw ApiError.of("INVALID_DEVICE", b.string("userdevice"));
        }
        try {
            if (disk.image() != null) {
                grantImage(disk.image());
                d.qmp.execute("blockdev-add", QemuCommand.blockdev(disk, disk.nodeName()));
            }
            if (disk.cd() && d.qmp.execute("qom-list", Map.of("path", "/machine/peripheral")).toString().contains("\"scsi0\"") == false) {
                d.qmp.execute("device_add", QemuCommand.ordered("driver", "virtio-scsi-pci", "id", "scsi0", "bus", "pcie.0"));
            }
            try {
                d.qmp.execute("device_add", QemuCommand.device(disk, null));
            } catch (QmpException e) {
                if (disk.image() != null) {
                    try { d.qmp.execute("blockdev-del", Map.of("node-name", disk.nodeName())); } catch (QmpException ignored) { }
                }
                throw e;
            }
        } catch (QmpException e) {
            throw ApiError.internal("VBD.plug: " + e.getMessage());
        }
        db.write(tx -> tx.set("VBD", vbdRef, "currently_attached", true));
        refreshVbd(vbdRef);
    }

    private void unplug(String vbdRef, boolean force) {
        DbObject b = db.require("VBD", vbdRef);
        if (!b.bool("currently_attached")) throw ApiError.of("DEVICE_ALREADY_DETACHED", vbdRef);
        if (!force && !b.bool("unpluggable")) throw ApiError.of("VBD_NOT_UNPLUGGABLE", vbdRef);
        Domain d = domain(b.string("VM"));
        String id = "vbd" + b.string("userdevice");
        try {
            String node = topNode(d, id);
            long mark = d.qmp.eventMark();
            d.qmp.execute("device_del", Map.of("id", id));
            try {
                d.qmp.awaitEvent(mark, "DEVICE_DELETED", e -> id.equals(e.dataText("device")), Duration.ofSeconds(force ? 5 : 30));
            } catch (TimeoutException e) {
                throw ApiError.of("DEVICE_DETACH_REJECTED", "VBD", vbdRef, "the guest did not release device " + id);
            }
            if (node != null) {
                try { d.qmp.execute("blockdev-del", Map.of("node-name", node)); } catch (QmpErrorException ignored) { }
            }
        } catch (QmpException e) {
            throw ApiError.internal("VBD.unplug: " + e.getMessage());
        }
        db.write(tx -> tx.set("VBD", vbdRef, "currently_attached", false));
        refreshVbd(vbdRef);
    }

    private void insert(String vbdRef, String vdiRef) {
        DbObject b = db.require("VBD", vbdRef);
        db.require("VDI", vdiRef);
        if (!"CD".equals(b.string("type"))) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", vbdRef);
        if (!b.bool("empty")) throw ApiError.of("VBD_NOT_EMPTY", vbdRef);
        Domain d = b.bool("currently_attached") ? domains.get(b.string("VM")) : null;
        if (d != null) {
            Storage.Attachment a = storage.attachment(vdiRef);
            if (!Files.isRegularFile(a.image())) throw ApiError.of("VDI_MISSING", db.get("VDI", vdiRef).string("SR"), vdiRef);
            var disk = new QemuCommand.Disk(b.string("userdevice"), true, a.image(), a.format(), true, b.bool("bootable"));
            grantImage(a.image());
            try {
                d.qmp.execute("blockdev-add", QemuCommand.blockdev(disk, disk.nodeName()));
                d.qmp.execute("blockdev-open-tray", Map.of("id", disk.deviceId(), "force", true));
                d.qmp.execute("blockdev-insert-medium", Map.of("id", disk.deviceId(), "node-name", disk.nodeName()));
                d.qmp.execute("blockdev-close-tray", Map.of("id", disk.deviceId()));
            } catch (QmpException e) {
                throw ApiError.internal("VBD.insert: " + e.getMessage());
            }
        }
        db.write(tx -> { tx.set("VBD", vbdRef, "VDI", vdiRef); tx.set("VBD", vbdRef, "empty", false); });
        refreshVbd(vbdRef);
    }

    private void eject(String vbdRef) {
        DbObject b = db.require("VBD", vbdRef);
        if (!"CD".equals(b.string("type"))) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", vbdRef);
        if (b.bool("empty")) throw ApiError.of("VBD_IS_EMPTY", vbdRef);
        Domain d = b.bool("currently_attached") ? domains.get(b.string("VM")) : null;
        if (d != null) {
            String id = "vbd" + b.string("userdevice");
            try {
                String node = topNode(d, id);
                d.qmp.execute("blockdev-open-tray", Map.of("id", id, "force", true));
                d.qmp.execute("blockdev-remove-medium", Map.of("id", id));
                if (node != null) d.qmp.execute("blockdev-del", Map.of("node-name", node));
                d.qmp.execute("blockdev-close-tray", Map.of("id", id));
            } catch (QmpException e) {
                throw ApiError.internal("VBD.eject: " + e.getMessage());
            }
        }
        db.write(tx -> { tx.set("VBD", vbdRef, "VDI", ClassDef.NULL_REF); tx.set("VBD", vbdRef, "empty", true); });
        refreshVbd(vbdRef);
    }

    /** The node a guest device reads now (after snapshots, an overlay's), from query-block. */
    private static String topNode(Domain d, String deviceId) throws QmpException {
        for (JsonNode blk : d.qmp.execute("query-block")) {
            String qdev = blk.path("qdev").asText("");
            if (isDevice(qdev, deviceId)) {
                JsonNode ins = blk.get("inserted");
                return ins == null ? null : ins.path("node-name").asText(null);
            }
        }
        return null;
    }

    /** Whether a query-block {@code qdev} names the guest device {@code id}. */
    static boolean isDevice(String qdev, String id) {
        return qdev.equals(id) || qdev.equals("/machine/peripheral/" + id) || qdev.startsWith("/machine/peripheral/" + id + "/");
    }

    // ---- OnlineDisks: changing disks under a running QEMU ---------------------------------------

    @Override
    public void resize(String vdiRef, String vbdRef, Path image, long newSize) {
        DbObject b = db.require("VBD", vbdRef);
        Domain d = domains.get(b.string("VM"));
        if (d == null) throw ApiError.of("VDI_IN_USE", vdiRef, "resize");
        try {
            String node = topNode(d, "vbd" + b.string("userdevice"));
            if (node == null) throw ApiError.of("VDI_IN_USE", vdiRef, "resize");
            d.qmp.execute("block_resize", Map.of("node-name", node, "size", newSize));
        } catch (QmpException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "online resize failed: " + e.getMessage());
        }
    }

    @Override
    public void switchToOverlay(String vdiRef, String vbdRef, Path overlay) {
        DbObject b = db.require("VBD", vbdRef);
        Domain d = domains.get(b.string("VM"));
        if (d == null) throw ApiError.of("VDI_IN_USE", vdiRef, "snapshot");
        grantImage(overlay);
        String newNode = "vbd" + b.string("userdevice") + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        try {
            String node = topNode(d, "vbd" + b.string("userdevice"));
            if (node == null) throw ApiError.of("VDI_IN_USE", vdiRef, "snapshot");
            var args = QemuCommand.ordered("driver", "qcow2", "node-name", newNode,
                    "file", QemuCommand.ordered("driver", "file", "filename", overlay.toString()));
            args.put("backing", null);
            d.qmp.execute("blockdev-add", args);
            d.qmp.execute("blockdev-snapshot", Map.of("node", node, "overlay", newNode));
        } catch (QmpException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "online snapshot failed: " + e.getMessage());
        }
    }

    // ---- host memory ----------------------------------------------------------------------------

    /** XAPI-like overhead: page tables and device model, ~1% of the VM's memory plus a fixed part. */
    static long overhead(long staticMax) { return 32 * MIB + staticMax / 100; }

    /** What a new VM may have: the host's available memory minus what running VMs reserved but do not use yet. */
    public long availableMemory() {
        long avail = meminfo("MemAvailable");
        long outstanding = 0;
        for (Domain d : domains.values()) {
            DbObject vm = db.get("VM", d.vmRef);
            if (vm == null) continue;
            long reserved = vm.integer("memory_static_max") + overhead(vm.integer("memory_static_max"));
            outstanding += Math.max(0, reserved - rss(d.pid));
        }
        return Math.max(0, avail - outstanding);
    }

    private void refreshHostMemory() {
        DbObject host = db.get("host", hostRef);
        if (host == null) return;
        String m = host.string("metrics");
        if (Refs.isNull(m) || db.get("host_metrics", m) == null) return;
        long free = availableMemory();
        db.write(tx -> { tx.set("host_metrics", m, "memory_free", free); tx.set("host_metrics", m, "last_updated", Instant.now()); });
    }

    private static long meminfo(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith(key + ":")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) { }
        return 0;
    }

    private static long rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) { }
        return 0;
    }

    // ---- files, users, processes ----------------------------------------------------------------

    /** The unprivileged user QEMU runs as: made with useradd --system if missing. */
    private synchronized void ensureUser() {
        if (uid >= 0) return;
        try {
            String[] ids = idOf(cfg.user());
            if (ids == null) {
                run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                        cfg.user()));
                ids = idOf(cfg.user());
            }
            if (ids == null) throw ApiError.internal("cannot find or create the user " + cfg.user());
            uid = Integer.parseInt(ids[0]);
            gid = Integer.parseInt(ids[1]);
        } catch (RuntimeException e) {
            if (e instanceof ApiError a) throw a;
            throw ApiError.internal("cannot find or create the user " + cfg.user() + ": " + e.getMessage());
        }
    }

    private static String[] idOf(String user) {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = l.split(":");
                if (f.length > 3 && f[0].equals(user)) return new String[] {f[2], f[3]};
            }
        } catch (IOException ignored) { }
        return null;
    }

    /**
     * QEMU opens /dev/net/tun as its own user to attach to its (pre-made, flotilla-qemu owned) taps. Debian's
     * udev makes the device 0666; where it is root-only (containers), the QEMU user's group gets read-write.
     */
    private void ensureDeviceAccess(Path dev) {
        try {
            var perms = Files.getPosixFilePermissions(dev);
            if (perms.contains(PosixFilePermission.OTHERS_READ) && perms.contains(PosixFilePermission.OTHERS_WRITE)) return;
            var view = Files.getFileAttributeView(dev, java.nio.file.attribute.PosixFileAttributeView.class);
            var group = dev.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(cfg.user());
            if (!view.readAttributes().group().equals(group)) {
                if (!view.readAttributes().group().getName().equals("root")) return; // an administrator's choice: leave it
                view.setGroup(group);
            }
            var next = new HashSet<>(perms);
            next.add(PosixFilePermission.GROUP_READ);
            next.add(PosixFilePermission.GROUP_WRITE);
            if (!next.equals(perms)) Files.setPosixFilePermissions(dev, next);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot give QEMU's user access to " + dev + ": " + e);
        }
    }

    /** The gid of a device readable and writable by its group, or null. */
    private static Integer deviceGroup(Path dev) {
        try {
            var perms = Files.getPosixFilePermissions(dev);
            if (!perms.contains(PosixFilePermission.GROUP_READ) || !perms.contains(PosixFilePermission.GROUP_WRITE)) return null;
            return (Integer) Files.getAttribute(dev, "unix:gid");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private java.nio.file.attribute.UserPrincipal lookupUser() throws IOException {
        UserPrincipalLookupService s = cfg.stateDir().getFileSystem().getUserPrincipalLookupService();
        return s.lookupPrincipalByName(cfg.user());
    }

    private void prepareRunDir(Path runDir) throws IOException {
        Files.createDirectories(runRoot);
        traversable(cfg.stateDir());
        traversable(runRoot);
        deleteTree(runDir);
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(runDir, lookupUser());
        Path serial = QemuCommand.serialLog(runDir);
        Files.createFile(serial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.setOwner(serial, lookupUser());
    }

    /** A disk image (and the images it is built on) readable and writable only by QEMU's user and root. */
    private void grantImage(Path image) {
        grant(image, false);
        // a qcow2 chain: the backing files are opened by QEMU too (read-only)
        Path cur = image;
        for (int i = 0; i < 64; i++) {
            String backing = backingOf(cur);
            if (backing == null) break;
            Path next = cur.resolveSibling(backing);
            if (!Files.isRegularFile(next)) break;
            grant(next, false);
            cur = next;
        }
    }

    private void grant(Path file, boolean unused) {
        try {
            Files.setOwner(file, lookupUser());
            Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            Path stop = cfg.stateDir().toAbsolutePath();
            for (Path dir = file.toAbsolutePath().getParent(); dir != null && dir.startsWith(stop); dir = dir.getParent()) {
                traversable(dir);
            }
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot give QEMU access to " + file + ": " + e);
        }
    }

    /** The backing file named in a qcow2 header, or null. */
    private static String backingOf(Path image) {
        try (var ch = java.nio.channels.FileChannel.open(image)) {
            var hdr = java.nio.ByteBuffer.allocate(20);
            if (ch.read(hdr, 0) < 20) return null;
            if (hdr.getInt(0) != 0x514649fb) return null;
            long off = hdr.getLong(8);
            int len = hdr.getInt(16);
            if (off == 0 || len <= 0 || len > 4096) return null;
            var name = java.nio.ByteBuffer.allocate(len);
            ch.read(name, off);
            return new String(name.array(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** Adds search (x) for others to one of our directories, so that QEMU's user can reach its files. */
    private static void traversable(Path dir) {
        try {
            var perms = new HashSet<>(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) Files.setPosixFilePermissions(dir, perms);
        } catch (IOException | UnsupportedOperationException ignored) { }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static long readLong(Path f) {
        try {
            return Long.parseLong(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "";
        }
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw ApiError.internal(String.join(" ", cmd) + " timed out");
            }
            if (p.exitValue() != 0) throw ApiError.of("SR_BACKEND_FAILURE", Integer.toString(p.exitValue()), "", cmd.get(0) + ": " + out.strip());
        } catch (IOException e) {
            throw ApiError.internal("cannot run " + cmd.get(0) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted running " + cmd.get(0));
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) { }
    }

    /** The QMP connection of a running VM (tests use it to act as the guest would, behind the API's back). */
    Qmp qmp(String vmRef) { return domain(vmRef).qmp; }

    /** Test support: the pids of the QEMUs this runtime follows. */
    public Map<String, Long> pids() {
        var out = new HashMap<String, Long>();
        domains.forEach((k, v) -> out.put(k, v.pid));
        return out;
    }

    /** Lets go of the QEMUs without stopping them: they outlive the daemon, and the next one reattaches. */
    @Override
    public void close() {
        closed = true;
        for (Domain d : domains.values()) d.qmp.close();
        domains.clear();
    }
}
