package org.flotilla.runtime.devices;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.os.Fd;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpErrorException;
import org.flotilla.qemu.QmpException;
import org.flotilla.qemu.QmpFds;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.launch.DiskDescriptors;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * A disk's block nodes in a running QEMU: added from descriptors the daemon opens and hands over as fdsets
 * (tagged with the disk, so that they can be found again), and removed with every node of the disk — the
 * overlays live snapshots added on top too — and their fdsets.
 */
final class LiveBlockNodes {
    private LiveBlockNodes() {}

    /** Opens the disk's layers, gives them to QEMU, and adds its nodes bottom up; on failure none is left. */
    static void add(Domain d, Qmp qmp, QemuCommand.Disk disk) throws QmpException {
        DiskDescriptors.Opened fds = DiskDescriptors.open(disk);
        try {
            var sets = new QemuCommand.DiskSets(addFdsets(d, fds.layers(), disk.fdsetTag()), fds.direct());
            try {
                var nodes = QemuCommand.blockdevs(disk, sets);
                LiveSecrets.defineFor(qmp, nodes);
                for (Map<String, Object> node : nodes) qmp.execute("blockdev-add", node);
            } catch (QmpException e) {
                remove(qmp, disk.nodePrefix(), disk.fdsetTag());
                throw e;
            }
        } finally {
            fds.close();
        }
    }

    /** Hands QEMU one fdset per entry of {@code fds}, tagged {@code tag}; returns their ids in the same order. */
    static List<Integer> addFdsets(Domain d, List<List<Fd>> fds, String tag) throws QmpException {
        return QmpFds.session(d.fdSocket(), s -> {
            var ids = new ArrayList<Integer>();
            for (List<Fd> layer : fds) ids.add(s.addFdset(layer, tag));
            return ids;
        });
    }

    /**
     * Deletes the nodes named {@code prefix}… (each as soon as no other node uses it) and the fdsets tagged
     * {@code tag}. A node still in use after that stays, and so do the descriptors under it.
     */
    static void remove(Qmp qmp, String prefix, String tag) throws QmpException {
        delete(qmp, nodesNamed(qmp, prefix), fdsetsTagged(qmp, tag), tag);
    }

    /** The names of the nodes named {@code prefix}…. */
    static List<String> nodesNamed(Qmp qmp, String prefix) throws QmpException {
        var names = new ArrayList<String>();
        for (JsonNode n : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            String name = n.path("node-name").asText("");
            if (name.startsWith(prefix) && !names.contains(name)) names.add(name);
        }
        return names;
    }

    /** The ids of the fdsets tagged {@code tag}. */
    static List<Integer> fdsetsTagged(Qmp qmp, String tag) throws QmpException {
        var ids = new ArrayList<Integer>();
        for (JsonNode set : qmp.execute("query-fdsets")) {
            boolean ours = false;
            for (JsonNode fd : set.path("fds")) ours |= tag.equals(fd.path("opaque").asText(null));
            if (ours) ids.add(set.path("fdset-id").asInt());
        }
        return ids;
    }

    /** Deletes the {@code nodes} (each as soon as no other node uses it; one still in use stays) and the fdsets {@code sets}. */
    static void delete(Qmp qmp, List<String> nodes, List<Integer> sets, String tag) throws QmpException {
        var left = new ArrayList<>(nodes);
        for (int round = 0; round < 64 && !left.isEmpty(); round++) {
            boolean progress = false;
            for (var it = left.iterator(); it.hasNext(); ) {
                try {
                    qmp.execute("blockdev-del", Map.of("node-name", it.next()));
                    it.remove();
                    progress = true;
                } catch (QmpErrorException e) {
                    // a node above still uses it (or the guest device does): the next round, or never
                }
            }
            if (!progress) break;
        }
        for (int set : sets) {
            try {
                qmp.execute("remove-fd", Map.of("fdset-id", set));
            } catch (QmpErrorException e) {
                throw ApiError.internal("cannot remove fdset " + set + " of " + tag + ": " + e.getMessage());
            }
        }
    }
}
