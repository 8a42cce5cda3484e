package org.flotilla.runtime.migration;

import java.util.Map;

/**
 * What the host a VM leaves asks of the host it goes to. Arguments and results are strings and numbers only, so
 * that the calls can travel between daemons as they are (the VM by its reference).
 */
public interface MigrationPeer {
    /**
     * Starts the VM's QEMU waiting for its memory, and opens the way in for the stream. {@code disks} maps each VDI
     * that moves with the VM to the SR it goes to there: a VDI is made there for each, and QEMU takes them in.
     * {@code certificate} is the one the source's QEMU will show (PEM), the only one the destination's lets in.
     */
    IncomingStream prepare(String vm, Map<String, String> disks, String certificate);

    /** The whole stream has arrived: the guest runs on there, recorded so. Returns the domain id it got there. */
    long finish(String vm, String token);

    /**
     * The migration failed here: whatever was made for it there goes, and false is returned. True when it cannot go
     * because the VM's finish went through there (its answer lost on the way): the guest runs there, and the source
     * must let its own QEMU go rather than run it again. False, too, for a VM not coming there.
     */
    boolean abort(String vm, String token);

    /**
     * Once the VM runs there: the performance history this host kept of it ({@link VmHistories}), for that host to go
     * on from. Refused for a VM that does not run there.
     */
    void history(String vm, String history);
}
