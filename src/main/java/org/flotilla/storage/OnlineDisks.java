package org.flotilla.storage;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VdiOperations;

/**
 * What only the VM agent can do: change a disk that a running VM's QEMU holds open. The agent registers
 * itself with {@link Storage#setOnlineDisks}; until it does, resizing or snapshotting an attached VDI is
 * refused with VDI_IN_USE, as for an operation that cannot be done live.
 */
public interface OnlineDisks {
    /** Grows the disk under the running VM: QMP {@code block_resize} on the VBD's block node to {@code newSize}. */
    void resize(Ref<VDI> vdi, Ref<VBD> vbd, long newSize);

    /**
     * Makes the running VM write to {@code overlay} in {@code dir} from now on: an existing qcow2 whose backing file is the
     * image QEMU has open (QMP {@code blockdev-add} of the overlay with {@code backing: null}, then
     * {@code blockdev-snapshot}). The storage renames the overlay into place afterwards; QEMU keeps its fd.
     */
    void switchToOverlay(Ref<VDI> vdi, Ref<VBD> vbd, SrStore dir, String overlay);

    /**
     * Merges the image below the running disk's top into the top (QMP {@code block-stream}, or the job a previous daemon
     * started, if it still runs), until that image is out of the VM's chain; the top's header then names
     * {@code backingFile}, a plain file name of the SR (null: none). {@code started} runs once QEMU's job runs. Returns
     * once QEMU let the merged image go.
     */
    void stream(Ref<VDI> vdi, Ref<VBD> vbd, String backingFile, Runnable started);

    OnlineDisks NONE = new OnlineDisks() {
        @Override public void resize(Ref<VDI> vdi, Ref<VBD> vbd, long newSize) {
            throw VdiRecords.inUse(vdi, VdiOperations.resize);
        }

        @Override public void switchToOverlay(Ref<VDI> vdi, Ref<VBD> vbd, SrStore dir, String overlay) {
            throw VdiRecords.inUse(vdi, VdiOperations.snapshot);
        }

        @Override public void stream(Ref<VDI> vdi, Ref<VBD> vbd, String backingFile, Runnable started) {
            throw ApiError.of("VDI_IN_USE", vdi.value(), "coalesce");
        }
    };
}
