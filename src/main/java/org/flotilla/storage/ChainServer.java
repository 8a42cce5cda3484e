package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.flotilla.model.ApiError;

/**
 * A chain of NFS images served, for the length of one qemu-img run, by a qemu-storage-daemon that opens it node by node
 * as a VM's QEMU does ({@code -blockdev}, each layer's backing the next node, none below the last) and exports the top
 * over NBD on a unix socket of the daemon's own. qemu-img cannot be given such a chain itself: QEMU 7.2 derives a backing
 * node's filename from the image header whenever the node has no {@code file.filename}, and its nfs driver refuses a
 * filename beside explicit options (and makes a wrong one, the image's own path as its directory); a header name is
 * never to be followed anyway. qemu-img sees the guest's view of the disk, raw.
 */
final class ChainServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPORT = "top";

    private final BlockExports exports;

    private ChainServer(BlockExports exports) { this.exports = exports; }

    static ChainServer serve(Storage.Attachment chain, boolean writable) {
        var blockdevs = new ArrayList<String>();
        var layers = chain.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            ObjectNode n = JSON.createObjectNode().put("driver", layers.get(i).format()).put("node-name", node(i));
            n.set("file", chain.store().fileNode(layers.get(i).file()));
            if (i == layers.size() - 1) n.putNull("backing");
            else n.put("backing", node(i + 1));
            if (i > 0 || !writable) n.put("read-only", true);
            blockdevs.add(n.toString());
        }
        try {
            return new ChainServer(BlockExports.start(blockdevs, List.of(new BlockExports.Export(EXPORT, node(0), writable))));
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while starting qemu-storage-daemon");
        }
    }

    /** The disk as qemu-img opens it: raw, over NBD. */
    String image() { return exports.image(EXPORT); }

    private static String node(int i) { return "layer" + i; }

    @Override
    public void close() { exports.close(); }
}
