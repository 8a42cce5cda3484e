package org.flotilla.runtime.migration;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VM;
import org.flotilla.qemu.QmpEvent;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.devices.BlockNodes;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * The source's side of the disks that move with a VM (Storage XenMotion): for each, an NBD client node in the VM's
 * QEMU on a connection the daemon makes to the destination QEMU's NBD server and hands it, QEMU speaking TLS on it
 * with the migration's identity ({@link QemuTls}), and a {@code blockdev-mirror} of the disk to it — a full copy first
 * ({@code copy-mode: background}), then, once the job is ready, every guest write made on both sides before it
 * completes ({@code block-job-change} to {@code write-blocking}), so that the copy converges whatever the guest
 * writes. Not write-blocking from the start: QEMU 10.0's write-blocking mirror corrupts its heap when the target
 * fails a write (the destination's SR filling up during the copy), and the guest's QEMU dies; the bulk of the copy,
 * when that is likeliest, runs without it.
 * Once every job is ready the memory moves; at the switch-over, with the guest stopped, {@link #complete} cancels the
 * ready jobs, which leaves each copy consistent (as libvirt ends its mirrors), and {@link #abandon} undoes it all
 * after a failure, leaving the guest on its own disks.
 */
final class DiskMirrors {
    private static final System.Logger LOG = System.getLogger(DiskMirrors.class.getName());
    private static final long READY_MINUTES = 60;
    private static final long SETTLE_SECONDS = 30;
    /** The longest pauses between two looks at the jobs, when QEMU announces no change of theirs before. */
    private static final Duration PROGRESS_POLL = Duration.ofMillis(20);
    private static final Duration SETTLE_POLL = Duration.ofMillis(10);
    /** QEMU's events for a job that became ready, ended or failed. */
    private static final Set<String> JOB_CHANGES = Set.of("BLOCK_JOB_READY", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED", "BLOCK_JOB_ERROR");

    /** One disk: its node here, the NBD node it is mirrored to, and the job. */
    private record Mirror(String vdi, String node, String target, String job) {}


    private final Domain d;
    private final List<Mirror> mirrors = new ArrayList<>();
    /** The jobs switched to write-blocking since they were ready. */
    private final Set<String> blocking = new HashSet<>();

    private DiskMirrors(Domain d) { this.d = d; }

    /**
     * Starts mirroring the disks of {@code vm}'s VBDs whose VDIs the destination made copies of in {@code in}, with TLS
     * as the QEMU object {@code tlsCreds} says.
     */
    static DiskMirrors start(Database db, Domain d, Ref<VM> vm, IncomingStream in, String tlsCreds) throws IOException {
        var out = new DiskMirrors(d);
        try {
            for (DbObject<VBD> b : db.referring(VBD.VM, vm)) {
                String vdi = b.get(VBD.VDI).value();
                if (!in.disks().containsKey(vdi)) continue;
                String export = QemuCommand.Disk.topNode(b.get(VBD.userdevice));
                // after a live snapshot the guest reads an overlay of another name; the mirror copies its whole chain
                String top = BlockNodes.top(d.qmp, QemuCommand.Disk.deviceId(b.get(VBD.userdevice)));
                out.mirror(vdi, top == null ? export : top, export, in, tlsCreds);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.abandon();
            throw e;
        }
    }

    /** Mirrors the guest's node {@code node} into the destination's export {@code export}. */
    private void mirror(String vdi, String node, String export, IncomingStream in, String tlsCreds) throws IOException {
        String target = "sxm-" + export;
        var m = new Mirror(vdi, node, target, "sxm-job-" + export);
        mirrors.add(m);
        QemuSockets.handOver(d, target, QemuSockets.connect(in.address(), in.disksPort()), "blockdev-add", Map.of(
                "driver", "nbd", "node-name", target, "export", export, "server", Map.of("type", "fd", "str", target),
                "tls-creds", tlsCreds, "tls-hostname", QemuTls.NAME));
        d.qmp.execute("blockdev-mirror", Map.of("job-id", m.job(), "device", node, "target", target, "sync", "full",
                "copy-mode", "background"));
    }

    /** Waits until every mirror has copied its disk and follows the guest's writes, reporting the share copied. */
    void awaitReady(DoubleConsumer progress, Runnable checkCancelled) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(READY_MINUTES);
        while (true) {
            checkCancelled.run();
            long mark = d.qmp.eventMark();
            Map<String, JsonNode> jobs = jobs();
            long len = 0;
            long done = 0;
            int ready = 0;
            for (Mirror m : mirrors) {
                JsonNode j = jobs.get(m.job());
                if (j == null || j.path("status").asText("").equals("concluded") || j.has("error")) {
                    // XAPI's error names the VDI alone: why (the destination's SR full, say) is in the log
                    LOG.log(System.Logger.Level.WARNING, "the mirror of VDI " + m.vdi() + " of VM " + d.uuid + " failed: "
                            + (j == null ? endOf(m.job()) : j.path("error").asText(j.path("status").asText())));
                    throw ApiError.of("MIRROR_FAILED", m.vdi());
                }
                len += j.path("len").asLong(0);
                done += j.path("offset").asLong(0);
                if (j.path("ready").asBoolean(false)) {
                    if (blocking.add(m.job())) {
                        d.qmp.execute("block-job-change", Map.of("id", m.job(), "type", "mirror", "copy-mode", "write-blocking"));
                    }
                    ready++;
                }
            }
            progress.accept(len > 0 ? (double) done / len : 0);
            if (ready == mirrors.size()) return;
            if (!d.alive()) throw ApiError.internal("the source's QEMU exited while copying the VM's disks");
            if (System.nanoTime() > deadline) throw ApiError.internal("copying the VM's disks timed out");
            d.qmp.pauseUntil(mark, e -> JOB_CHANGES.contains(e.name()), PROGRESS_POLL);
        }
    }

    /** How a job that is gone ended, as QEMU's BLOCK_JOB_COMPLETED (or _CANCELLED) event said. */
    private String endOf(String job) {
        for (QmpEvent e : d.qmp.events().reversed()) {
            if (job.equals(e.dataText("device")) && e.name().startsWith("BLOCK_JOB_")) {
                String error = e.dataText("error");
                return e.name() + (error == null || error.isEmpty() ? "" : ": " + error);
            }
        }
        return "its job is gone";
    }

    /** With the guest stopped: each ready mirror ends, its copy consistent and complete. */
    void complete() throws IOException, InterruptedException {
        for (Mirror m : mirrors) d.qmp.execute("block-job-cancel", Map.of("device", m.job()));
        awaitJobsGone();
        for (Mirror m : mirrors) {
            if (jobs().containsKey(m.job())) throw ApiError.of("MIRROR_FAILED", m.vdi());
        }
    }

    /** After a failure: the jobs stopped, the NBD nodes (and their connections) gone; the guest keeps its own disks. */
    void abandon() {
        for (Mirror m : mirrors) {
            try {
                d.qmp.execute("block-job-cancel", Map.of("device", m.job(), "force", true));
            } catch (QmpException e) {
                LOG.log(System.Logger.Level.DEBUG, "block-job-cancel " + m.job() + ": " + e.getMessage());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "block-job-cancel " + m.job() + ": " + e);
            }
        }
        try {
            awaitJobsGone();
        } catch (IOException | InterruptedException e) {
            LOG.log(System.Logger.Level.WARNING, "the mirrors of " + d.uuid + " did not end: " + e);
        }
        for (Mirror m : mirrors) {
            try {
                d.qmp.execute("blockdev-del", Map.of("node-name", m.target()));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "blockdev-del " + m.target() + ": " + e.getMessage());
            }
        }
    }

    private void awaitJobsGone() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        while (System.nanoTime() < deadline && d.alive()) {
            long mark = d.qmp.eventMark();
            Map<String, JsonNode> jobs = jobs();
            if (mirrors.stream().noneMatch(m -> jobs.containsKey(m.job()))) return;
            // at the switch-over the guest is stopped while this waits: QEMU's event ends it at once
            d.qmp.pauseUntil(mark, e -> JOB_CHANGES.contains(e.name()), SETTLE_POLL);
        }
    }

    private Map<String, JsonNode> jobs() throws IOException {
        var out = new HashMap<String, JsonNode>();
        for (JsonNode j : d.qmp.execute("query-block-jobs")) out.put(j.path("device").asText(), j);
        return out;
    }
}
