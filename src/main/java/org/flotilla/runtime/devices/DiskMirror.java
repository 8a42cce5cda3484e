package org.flotilla.runtime.devices;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.os.OsException;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpEvent;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.storage.Storage;

/**
 * Moves what a running guest's disk reads and writes into another, empty image while the guest runs: the image is
 * added to QEMU as a node over descriptors the daemon opened, QEMU mirrors the whole disk into it
 * ({@code blockdev-mirror sync=full}) and, once the copy keeps up with the guest's writes, pivots the guest device
 * onto it ({@code job-complete}). Until that pivot nothing the guest sees has changed, so any failure cancels the job
 * and takes the new node away again: the guest goes on with its old disk.
 */
public final class DiskMirror {
    private static final System.Logger LOG = System.getLogger(DiskMirror.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PIVOT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);
    /** The share of the task's progress the copy takes (the rest is the records, before and after). */
    private static final double FROM = 0.1, TO = 0.9;

    private final Database db;
    private final Domains domains;

    public DiskMirror(Database db, Domains domains) {
        this.db = db;
        this.domains = domains;
    }

    /**
     * Makes the guest device of {@code vbd} use {@code target} (an empty image at least as large as the disk) from now on,
     * with its whole content; the old image's nodes and descriptors are let go after. MIRROR_FAILED(vdi) if the copy or
     * the pivot fails (TASK_CANCELLED if the task is cancelled), the guest still on its old disk.
     */
    public void moveTo(Ref<VBD> vbd, Ref<VDI> vdi, Storage.Attachment target, TaskContext task) {
        DbObject<VBD> b = db.require(vbd);
        Domain d = domains.running(b.get(VBD.VM));
        Qmp qmp = d.qmp;
        String device = VbdHotplug.deviceId(b);
        String job = device + "-mirror";
        // named like every node of the disk, and its fdset tagged like theirs: it goes with them at unplug
        String newNode = device + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        List<String> oldNodes;
        List<Integer> oldSets;
        String source;
        try {
            source = BlockNodes.top(qmp, device);
            if (source == null) throw ApiError.of("MIRROR_FAILED", vdi.value());
            oldNodes = LiveBlockNodes.nodesNamed(qmp, device + "-");
            oldSets = LiveBlockNodes.fdsetsTagged(qmp, device);
        } catch (QmpException e) {
            throw failed(vdi, e);
        }
        try {
            var node = QemuCommand.ordered("driver", target.format(), "node-name", newNode,
                    "file", LiveDisks.imageFile(d, device, target.store(), target.layers().getFirst().file()));
            node.put("backing", null);
            LiveSecrets.defineFor(qmp, List.of(node));
            qmp.execute("blockdev-add", node);
            long mark = qmp.eventMark();
            qmp.execute("blockdev-mirror", Map.of("job-id", job, "device", source, "target", newNode, "sync", "full"));
            awaitReady(qmp, job, mark, task);
            pivot(qmp, job, device, newNode);
        } catch (RuntimeException | QmpException | OsException | TimeoutException e) {
            undo(qmp, job, newNode, device, oldSets);
            if (e instanceof ApiError a && (a.code().equals("TASK_CANCELLED") || a.code().equals("MIRROR_FAILED"))) throw a;
            throw failed(vdi, e);
        }
        task.progress(TO);
        try {
            LiveBlockNodes.delete(qmp, oldNodes, oldSets, device);
        } catch (QmpException | RuntimeException e) {
            // the guest runs on its new disk: descriptors of the old image left open only hold its space until the VM stops
            LOG.log(System.Logger.Level.WARNING, "the old nodes of " + device + " stay in QEMU: " + e.getMessage());
        }
    }

    /** Follows the job until it is ready (the copy caught up), with the task's progress; fails if it ends first. */
    private static void awaitReady(Qmp qmp, String job, long mark, TaskContext task) throws QmpException, TimeoutException {
        while (true) {
            task.checkCancelled();
            JsonNode state = jobState(qmp, job);
            if (state == null) throw new QmpException("the mirror job ended before it was ready: " + endReason(qmp, job, mark));
            if (state.path("ready").asBoolean(false)) return;
            long len = state.path("len").asLong(0);
            if (len > 0) task.progress(FROM + (TO - FROM) * Math.min(1.0, (double) state.path("offset").asLong(0) / len));
            try {
                qmp.awaitEvent(mark, "BLOCK_JOB_READY", e -> job.equals(e.data().path("device").asText()), POLL);
            } catch (TimeoutException e) {
                // not ready yet: look at its progress again
            }
        }
    }

    /** job-complete, and the guest device reading the new node after it. */
    private static void pivot(Qmp qmp, String job, String device, String newNode) throws QmpException, TimeoutException {
        long mark = qmp.eventMark();
        qmp.execute("job-complete", Map.of("id", job));
        QmpEvent done = qmp.awaitEvent(mark, "BLOCK_JOB_COMPLETED", e -> job.equals(e.data().path("device").asText()), PIVOT_TIMEOUT);
        if (done.data().has("error")) throw new QmpException("the mirror failed to complete: " + done.data().path("error").asText());
        String now = BlockNodes.top(qmp, device);
        if (!newNode.equals(now)) throw new QmpException("the device reads " + now + " after the mirror, not " + newNode);
    }

    /** Cancels the job if it still runs, and deletes the new node and its descriptors: the guest stays on its old disk. */
    private static void undo(Qmp qmp, String job, String newNode, String device, List<Integer> oldSets) {
        try {
            if (jobState(qmp, job) != null) {
                // force: a job that is ready would otherwise still pivot on cancel
                qmp.execute("block-job-cancel", Map.of("device", job, "force", true));
                long deadline = System.nanoTime() + CANCEL_TIMEOUT.toNanos();
                while (jobState(qmp, job) != null && System.nanoTime() < deadline) Thread.sleep(POLL.toMillis());
            }
            var newSets = new ArrayList<>(LiveBlockNodes.fdsetsTagged(qmp, device));
            newSets.removeAll(oldSets);
            LiveBlockNodes.delete(qmp, List.of(newNode), newSets, device);
        } catch (QmpException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "undoing the mirror of " + device + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The job's entry in query-block-jobs, or null once it is gone. */
    static JsonNode jobState(Qmp qmp, String job) throws QmpException {
        for (JsonNode j : qmp.execute("query-block-jobs")) if (job.equals(j.path("device").asText())) return j;
        return null;
    }

    /** The error the job's end reported, among the events since {@code mark}. */
    static String endReason(Qmp qmp, String job, long mark) {
        for (QmpEvent e : qmp.events()) {
            if (e.seq() > mark && job.equals(e.data().path("device").asText()) && e.data().has("error")) return e.data().path("error").asText();
        }
        return "no error reported";
    }

    private static ApiError failed(Ref<VDI> vdi, Exception e) {
        LOG.log(System.Logger.Level.WARNING, "mirror of VDI " + vdi.value() + " failed: " + e.getMessage());
        return ApiError.of("MIRROR_FAILED", vdi.value());
    }
}
