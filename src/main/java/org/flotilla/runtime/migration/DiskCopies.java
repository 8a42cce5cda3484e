package org.flotilla.runtime.migration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.storage.NbdTarget;
import org.flotilla.storage.Storage;

/**
 * The source's side of a halted VM's disks moving (VM.migrate_send of a halted VM): nothing writes them, so each is
 * copied once with qemu-img into its export on the destination's storage daemon, over TCP with TLS: a key made for
 * this migration ({@link QemuTls}), the certificate the destination answered with the only one trusted. qemu-img
 * rather than a QEMU mirror: no guest runs to follow, and qemu-img copies only what the chain holds.
 */
final class DiskCopies {
    private DiskCopies() {}

    /** One disk to copy: the VDI here, and where it goes (the port and the export's name there). */
    private record Job(Ref<VDI> vdi, int port, String export) {}

    /**
     * Copies the disks of {@code vm}'s VBDs whose VDIs the destination made copies of in {@code in}, and the disks it
     * takes along unplugged ({@link #copyAlong}), each over a connection of its own, showing {@code identity};
     * reports the share done.
     */
    static void copy(Database db, Storage storage, Ref<VM> vm, IncomingStream in, QemuTls identity, DoubleConsumer progress) throws IOException {
        var jobs = new ArrayList<Job>();
        for (DbObject<VBD> b : db.referring(VBD.VM, vm)) {
            if (in.disks().containsKey(b.get(VBD.VDI).value())) {
                jobs.add(new Job(b.get(VBD.VDI), in.disksPort(), QemuCommand.Disk.topNode(b.get(VBD.userdevice))));
            }
        }
        jobs.addAll(along(db, vm, in));
        run(storage, in, identity, jobs, progress);
    }

    /**
     * Copies the disks that go with {@code vm} though no VBD of it plugs them — its snapshots' disks, a checkpoint's
     * memory — whole, each to its export at {@code in}'s copies port, before a running VM's own disks are mirrored
     * (as XAPI copies snapshots' VDIs first, unmirrored: nothing writes them). Returns their virtual sizes' sum.
     */
    static long copyAlong(Database db, Storage storage, Ref<VM> vm, IncomingStream in, QemuTls identity, DoubleConsumer progress) throws IOException {
        List<Job> jobs = along(db, vm, in);
        run(storage, in, identity, jobs, progress);
        long bytes = 0;
        for (Job j : jobs) bytes += db.require(j.vdi()).get(VDI.virtual_size);
        return bytes;
    }

    private static List<Job> along(Database db, Ref<VM> vm, IncomingStream in) {
        var plugged = new HashSet<String>();
        for (DbObject<VBD> b : db.referring(VBD.VM, vm)) plugged.add(b.get(VBD.VDI).value());
        var out = new ArrayList<Job>();
        in.disks().forEach((from, to) -> {
            if (!plugged.contains(from)) out.add(new Job(VDI.CLASS.ref(from), in.copiesPort(), ArrivingDisks.copyExport(to)));
        });
        return out;
    }

    private static void run(Storage storage, IncomingStream in, QemuTls identity, List<Job> jobs, DoubleConsumer progress) throws IOException {
        if (jobs.isEmpty()) return;
        Path tls = identity.writeTempFiles(QemuTls.End.CLIENT, in.certificate());
        try {
            int done = 0;
            for (Job j : jobs) {
                storage.exportToNbd(j.vdi(), new NbdTarget(in.address(), j.port(), j.export(), tls, QemuTls.NAME));
                progress.accept((double) ++done / jobs.size());
            }
        } finally {
            HostFiles.deleteTree(tls);
        }
    }
}
