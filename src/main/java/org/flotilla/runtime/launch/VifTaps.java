package org.flotilla.runtime.launch;

import java.util.function.Consumer;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;

/** The network side of a VM's VIFs: a tap per VIF while its QEMU runs, from the backend networking wires in. */
public final class VifTaps {
    private static final System.Logger LOG = System.getLogger(VifTaps.class.getName());

    private final Database db;
    private volatile VifBackend backend = VifBackend.NONE;

    public VifTaps(Database db) { this.db = db; }

    public void setBackend(VifBackend b) { backend = b == null ? VifBackend.NONE : b; }

    public VifBackend.TapDevice attach(Ref<VIF> vif, Ref<VM> vm) { return backend.attach(vif, vm); }

    /** Lets go of one VIF's tap (VIF.unplug). */
    public void detach(Ref<VIF> vif) { backend.detach(vif); }

    /** Takes one VIF off its network while QEMU still holds its tap (VIF.unplug_force of a NIC the guest keeps). */
    public void cutOff(Ref<VIF> vif) { backend.cutOff(vif); }

    /** Lets go of the taps of every VIF of the VM; a failure is logged, since the VM is going either way. */
    public void detachAll(Ref<VM> vm) { forEachVif(vm, backend::detach); }

    /** As {@link #detachAll}, for a VM being suspended: its VIFs stay marked attached, to return at resume. */
    public void releaseAll(Ref<VM> vm) { forEachVif(vm, backend::release); }

    private void forEachVif(Ref<VM> vm, Consumer<Ref<VIF>> letGo) {
        for (DbObject<VIF> v : db.referring(VIF.VM, vm)) {
            try { letGo.accept(v.self(VIF.CLASS)); } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot detach VIF " + v.ref() + ": " + e);
            }
        }
    }
}
