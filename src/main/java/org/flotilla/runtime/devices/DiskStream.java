package org.flotilla.runtime.devices;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
    private static final Pattern FDSET = Pattern.compile("/dev/fdset/(\\d+)");

    private DiskStream() {}

    /**
     * Streams the image below {@code device}'s top into it, the top's header then naming {@code backingFile} (null: the
     * top stands alone); takes up the job a previous daemon started if it still runs.
     */
    static void pull(Qmp qmp, String device, String backingFile) throws QmpException, TimeoutException {
        String job = device + "-stream";
        long mark = qmp.eventMark();
        String base = null;
        if (DiskMirror.jobState(qmp, job) == null) {
            String top = BlockNodes.top(qmp, device);
            Map<String, String> backing = backingEdges(qmp);
            base = top == null ? null : backing.get(top);
            if (base == null) throw new QmpException("disk " + device + " has no image below its top");
            var args = QemuCommand.ordered("job-id", job, "device", top);
            String below = backing.get(base);
            if (below != null) {
                args.put("base-node", below);
                args.put("backing-file", backingFile);
            }
            qmp.execute("block-stream", args);
        }
        Integer baseSet = base == null ? null : fdsetOf(qmp, base);
        awaitCompleted(qmp, job, mark);
        if (base != null) release(qmp, base, baseSet);
    }

    private static void awaitCompleted(Qmp qmp, String job, long mark) throws QmpException, TimeoutException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            try {
                QmpEvent done = qmp.awaitEvent(mark, "BLOCK_JOB_COMPLETED", e -> job.equals(e.data().path("device").asText()), POLL);
                if (done.data().has("error")) throw new QmpException("the stream failed: " + done.data().path("error").asText());
                return;
            } catch (TimeoutException e) {
                if (DiskMirror.jobState(qmp, job) == null) {
                    throw new QmpException("the stream ended without completing: " + DiskMirror.endReason(qmp, job, mark));
                }
                if (System.nanoTime() > deadline) {
                    qmp.execute("block-job-cancel", Map.of("device", job));
                    throw new TimeoutException("the stream did not complete within " + LIMIT);
                }
            }
        }
    }

    /** Each node's backing node, by name, from QEMU's block graph. */
    private static Map<String, String> backingEdges(Qmp qmp) throws QmpException {
        JsonNode graph = qmp.execute("x-debug-query-block-graph");
        var names = new HashMap<Long, String>();
        for (JsonNode n : graph.path("nodes")) names.put(n.path("id").asLong(), n.path("name").asText());
        var out = new HashMap<String, String>();
        for (JsonNode e : graph.path("edges")) {
            if (e.path("name").asText().equals("backing")) out.put(names.get(e.path("parent").asLong()), names.get(e.path("child").asLong()));
        }
        return out;
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

    /** Deletes the merged image's node and its fdset; one still in use (by a job of someone else's) stays until the disk goes. */
    private static void release(Qmp qmp, String node, Integer set) throws QmpException {
        try {
            qmp.execute("blockdev-del", Map.of("node-name", node));
            if (set != null) qmp.execute("remove-fd", Map.of("fdset-id", set));
        } catch (QmpErrorException e) {
            System.getLogger(DiskStream.class.getName()).log(System.Logger.Level.INFO, "node " + node + " stays: " + e.getMessage());
        }
    }
}
