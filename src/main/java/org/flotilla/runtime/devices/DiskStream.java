package org.flotilla.runtime.devices;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpErrorException;
import org.flotilla.qemu.QmpEvent;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * Pulls the image below a running disk's top into the top ({@code block-stream}), for the storage's collector of
 * chains: QEMU copies every cluster the top does not hold yet from the image below (copy-on-read keeps the guest's
 * own writes first), then writes the new backing file into the top's header and drops the image from the chain. It
 * writes only the top, which it has open read-write already, and opens nothing: the image below that, if any, is a
 * node of the disk already. Afterwards the merged image's node and descriptors are let go, so its blocks are freed
 * once the storage unlinks it.
 */
final class DiskStream {
    private static final Duration POLL = Duration.ofMillis(200);
    /** Long enough for a large disk at a slow disk's pace; a job past it is cancelled and the merge rolled back. */
    private static final Duration LIMIT = Duration.ofMinutes(30);
    /**
     * Bytes a second the job may copy, 0 for as fast as it can: {@code flotilla.coalesce-speed}, for a host whose guests'
     * own I/O must not wait behind a merge (and for tests, to keep a job running across a daemon restart).
     */
    private static long speed() { return Long.getLong("flotilla.coalesce-speed", 0); }
    private static final Pattern FDSET = Pattern.compile("/dev/fdset/(\\d+)");

    private DiskStream() {}

    /**
     * Streams the image below {@code device}'s top into it, the top's header then naming {@code backingFile} (null: the
     * top stands alone); takes up the job a previous daemon started if it still runs.
     */
    static void pull(Qmp qmp, String device, String backingFile, Runnable started) throws QmpException, TimeoutException {
        String job = device + "-stream";
        long mark = qmp.eventMark();
        if (DiskMirror.jobState(qmp, job) == null) {
            String top = BlockNodes.top(qmp, device);
            Map<String, String> backing = edges(qmp).backing();
            String base = top == null ? null : backing.get(top);
            if (base == null) throw new QmpException("disk " + device + " has no image below its top");
            var args = QemuCommand.ordered("job-id", job, "device", top, "speed", speed());
            String below = backing.get(base);
            if (below != null) {
                args.put("base-node", below);
                args.put("backing-file", backingFile);
            }
            qmp.execute("block-stream", args);
        }
        started.run();
        awaitCompleted(qmp, job, mark);
        releaseDropped(qmp, device);
    }

    private static void awaitCompleted(Qmp qmp, String job, long mark) throws QmpException, TimeoutException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            QmpEvent done = completion(qmp, job, mark);
            // the job gone without its event: look once more, it may have completed since the wait ended
            if (done == null && DiskMirror.jobState(qmp, job) == null && (done = completion(qmp, job, mark)) == null) {
                throw new QmpException("the stream ended without completing: " + DiskMirror.endReason(qmp, job, mark));
            }
            if (done != null) {
                if (done.data().has("error")) throw new QmpException("the stream failed: " + done.data().path("error").asText());
                return;
            }
            if (System.nanoTime() > deadline) {
                qmp.execute("block-job-cancel", Map.of("device", job));
                throw new TimeoutException("the stream did not complete within " + LIMIT);
            }
        }
    }

    /** The job's BLOCK_JOB_COMPLETED since {@code mark}, waited for a poll's time; null if none came. */
    private static QmpEvent completion(Qmp qmp, String job, long mark) throws QmpException {
        try {
            return qmp.awaitEvent(mark, "BLOCK_JOB_COMPLETED", e -> job.equals(e.data().path("device").asText()), POLL);
        } catch (TimeoutException e) {
            return null;
        }
    }

    /** QEMU's block graph by node name: each node's backing node, and every node some other node or job uses. */
    private record Edges(Map<String, String> backing, Set<String> used) {}

    private static Edges edges(Qmp qmp) throws QmpException {
        JsonNode graph = qmp.execute("x-debug-query-block-graph");
        var names = new HashMap<Long, String>();
        for (JsonNode n : graph.path("nodes")) names.put(n.path("id").asLong(), n.path("name").asText());
        var backing = new HashMap<String, String>();
        var used = new HashSet<String>();
        for (JsonNode e : graph.path("edges")) {
            String parent = names.get(e.path("parent").asLong());
            String child = names.get(e.path("child").asLong());
            used.add(child);
            if (e.path("name").asText().equals("backing")) backing.put(parent, child);
        }
        return new Edges(backing, used);
    }

    /**
     * Deletes the disk's nodes that the stream dropped from its chain (nothing uses them, the device does not read
     * them), with their fdsets: found from the graph, so that a job a previous daemon started is cleaned up after too.
     */
    private static void releaseDropped(Qmp qmp, String device) throws QmpException {
        Edges g = edges(qmp);
        var chain = new HashSet<String>();
        for (String n = BlockNodes.top(qmp, device); n != null && chain.add(n); n = g.backing().get(n)) { }
        for (String node : LiveBlockNodes.nodesNamed(qmp, device + "-")) {
            if (chain.contains(node) || g.used().contains(node)) continue;
            Integer set = fdsetOf(qmp, node);
            try {
                qmp.execute("blockdev-del", Map.of("node-name", node));
                if (set != null) qmp.execute("remove-fd", Map.of("fdset-id", set));
            } catch (QmpErrorException e) {
                System.getLogger(DiskStream.class.getName()).log(System.Logger.Level.INFO, "node " + node + " stays: " + e.getMessage());
            }
        }
    }

    /** The fdset a node's image was handed over in, or null (an image QEMU reaches otherwise, on NFS). */
    private static Integer fdsetOf(Qmp qmp, String node) throws QmpException {
        for (JsonNode n : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            if (!node.equals(n.path("node-name").asText())) continue;
            Matcher m = FDSET.matcher(n.path("file").asText(""));
            return m.matches() ? Integer.valueOf(m.group(1)) : null;
        }
        return null;
    }
}
