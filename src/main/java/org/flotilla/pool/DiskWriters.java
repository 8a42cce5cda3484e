package org.flotilla.pool;

import java.util.List;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * One writer per disk, across the pool: QEMU takes no lock that a shared file system honours, so a VM does not start
 * with a disk that another VM, on any host, holds open while either would write it, unless the VDI is sharable (XAPI's
 * VBD attach check in Xapi_vbd_helpers: VDI_IN_USE).
 */
public final class DiskWriters {
    private final Database db;

    public DiskWriters(Database db) { this.db = db; }

    /** VDI_IN_USE for the first disk of the VM that another VM holds open, read-write on either side. */
    public void assertFree(Ref<VM> vm) {
        for (DbObject<VBD> vbd : db.referring(VBD.VM, vm)) {
            if (vbd.get(VBD.empty)) continue;
            DbObject<VDI> vdi = db.get(vbd.get(VBD.VDI));
            if (vdi == null || vdi.get(VDI.sharable)) continue;
            List<DbObject<VBD>> others = db.referring(VBD.VDI, vdi.self(VDI.CLASS)).stream()
                    .filter(o -> !o.get(VBD.VM).equals(vm) && o.get(VBD.currently_attached) && heldOpen(o.get(VBD.VM))).toList();
            boolean otherWrites = others.stream().anyMatch(o -> o.get(VBD.mode) == VbdMode.RW);
            if (otherWrites || (vbd.get(VBD.mode) == VbdMode.RW && !others.isEmpty())) throw ApiError.of("VDI_IN_USE", vdi.ref());
        }
    }

    /** A suspended VM's disks are closed, and a control domain may share a disk safely (as XAPI counts them). */
    private boolean heldOpen(Ref<VM> ref) {
        DbObject<VM> vm = db.get(ref);
        return vm != null && vm.get(VM.power_state) != VmPowerState.Suspended && !vm.get(VM.is_control_domain);
    }
}
