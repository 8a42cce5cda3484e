package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.flotilla.model.ApiError;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpEvent;

/**
 * A chain of NFS images served, for the length of one qemu-img run (or committed, {@link #commit}), by a qemu-storage-daemon that opens it node by node
 * as a VM's QEMU does ({@code -blockdev}, each layer's backing the next node, none below the last) and exports the top
 * over NBD on a unix socket of the daemon's own. qemu-img cannot be given such a chain itself: QEMU 7.2 derives a backing
 * node's filename from the image header whenever the node has no {@code file.filename}, and its nfs driver refuses a
 * filename beside explicit options (and makes a wrong one, the image's own path as its directory); a header name is
 * never to be followed anyway. qemu-img sees the guest's view of the disk, raw.
 */
final class ChainServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPORT = "top";
    private static final String JOB = "commit";
    private static final String READY = "BLOCK_JOB_READY";
    private static final String COMPLETED = "BLOCK_JOB_COMPLETED";
    private static final Duration START = Duration.ofSeconds(30);
    /** A bound on one commit: hours of copying would be a disk far larger than any merge here. */
    private static final Duration COMMIT = Duration.ofHours(6);

    private final BlockExports exports;

    private ChainServer(BlockExports exports) { this.exports = exports; }

    static ChainServer serve(Storage.Attachment chain, boolean writable) {
        try {
            return new ChainServer(BlockExports.start(blockdevs(chain, writable ? 0 : -1), List.of(new BlockExports.Export(EXPORT, node(0), writable))));
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while starting qemu-storage-daemon");
        }
    }

    /**
     * Commits the chain's top image into the one below it (which must be there), as {@code qemu-img commit -d} does
     * for other SRs: QEMU's block-commit in a storage daemon that opens the chain node by node, the layer below
     * read-write, everything else read-only; the top image is left as it was. qemu-img cannot do it on NFS even given
     * the chain in full: reopening the layer below read-write, QEMU (7.2 to 10.0) derives a file name for it from the
     * header above and its nfs driver refuses that name beside explicit options.
     */
    static void commit(Storage.Attachment chain) {
        if (chain.layers().size() < 2) throw new IllegalArgumentException("a commit needs an image below the top");
        try (BlockExports daemon = BlockExports.startWithMonitor(blockdevs(chain, 1));
             Qmp qmp = Qmp.connect(daemon.monitor(), START)) {
            long mark = qmp.eventMark();
            // the top has no overlay: an active commit, which QEMU reports ready and completes when asked
            qmp.execute("block-commit", Map.of("job-id", JOB, "device", node(0), "base-node", node(1)));
            if (awaitJob(qmp, mark).name().equals(READY)) {
                long ready = qmp.eventMark();
                qmp.execute("job-complete", Map.of("id", JOB));
                awaitJob(qmp, ready);
            }
        } catch (IOException | TimeoutException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "committing " + chain.describe() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while committing " + chain.describe());
        }
    }

    /** The job's next event after {@code mark}, ready or completed: SR_BACKEND_FAILURE if it ended in an error. */
    private static QmpEvent awaitJob(Qmp qmp, long mark) throws TimeoutException, InterruptedException {
        Predicate<QmpEvent> ofJob = e -> JOB.equals(e.dataText("device")) && (e.name().equals(READY) || e.name().equals(COMPLETED));
        if (!qmp.pauseUntil(mark, ofJob, COMMIT)) throw new TimeoutException("block-commit did not end within " + COMMIT + ", or its storage daemon went");
        QmpEvent e = qmp.events().stream().filter(x -> x.seq() > mark && ofJob.test(x)).findFirst().orElseThrow();
        String error = e.dataText("error");
        if (e.name().equals(COMPLETED) && error != null && !error.isEmpty()) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "block-commit: " + error);
        return e;
    }

    /** {@code -blockdev} descriptions of the chain, each layer's backing the next, none below the last; {@code writable} (-1: none) read-write. */
    private static List<String> blockdevs(Storage.Attachment chain, int writable) {
        var blockdevs = new ArrayList<String>();
        var layers = chain.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            ObjectNode n = JSON.createObjectNode().put("driver", layers.get(i).format()).put("node-name", node(i));
            n.set("file", chain.store().fileNode(layers.get(i).file()));
            if (i == layers.size() - 1) n.putNull("backing");
            else n.put("backing", node(i + 1));
            if (i != writable) n.put("read-only", true);
            blockdevs.add(n.toString());
        }
        return blockdevs;
    }

    /** The disk as qemu-img opens it: raw, over NBD. */
    String image() { return exports.image(EXPORT); }

    private static String node(int i) { return "layer" + i; }

    @Override
    public void close() { exports.close(); }
}
