package org.flotilla.runtime.migration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
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

    /**
     * Copies the disks of {@code vm}'s VBDs whose VDIs the destination made copies of in {@code in}, each over a
     * connection of its own, showing {@code identity}; reports the share done.
     */
    static void copy(Database db, Storage storage, Ref<VM> vm, IncomingStream in, QemuTls identity, DoubleConsumer progress) throws IOException {
        List<DbObject<VBD>> moving = db.referring(VBD.VM, vm).stream().filter(b -> in.disks().containsKey(b.get(VBD.VDI).value())).toList();
        Path tls = identity.writeTempFiles(QemuTls.End.CLIENT, in.certificate());
        try {
            int done = 0;
            for (DbObject<VBD> b : moving) {
                String node = QemuCommand.Disk.topNode(b.get(VBD.userdevice));
                storage.exportToNbd(b.get(VBD.VDI), new NbdTarget(in.address(), in.disksPort(), node, tls, QemuTls.NAME));
                progress.accept((double) ++done / moving.size());
            }
        } finally {
            HostFiles.deleteTree(tls);
        }
    }
}
