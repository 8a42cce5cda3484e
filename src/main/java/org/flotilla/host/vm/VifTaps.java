package org.flotilla.host.vm;

import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.VifBackend;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;

/** The network side of a VM's VIFs: a tap per VIF while its QEMU runs, from the backend networking wires in. */
final class VifTaps {
    private static final System.Logger LOG = System.getLogger(VifTaps.class.getName());

    private final Database db;
    private volatile VifBackend backend = VifBackend.NONE;

    VifTaps(Database db) { this.db = db; }

    void setBackend(VifBackend b) { backend = b == null ? VifBackend.NONE : b; }

    VifBackend.TapDevice attach(String vifRef, String vmRef) { return backend.attach(VIF.CLASS.ref(vifRef), VM.CLASS.ref(vmRef)); }

    /** Lets go of one VIF's tap (VIF.unplug). */
    void detach(String vifRef) { backend.detach(VIF.CLASS.ref(vifRef)); }

    /** Lets go of the taps of every VIF of the VM; a failure is logged, since the VM is going either way. */
    void detachAll(String vmRef) { forEachVif(vmRef, backend::detach); }

    /** As {@link #detachAll}, for a VM being suspended: its VIFs stay marked attached, to return at resume. */
    void releaseAll(String vmRef) { forEachVif(vmRef, backend::release); }

    private void forEachVif(String vmRef, java.util.function.Consumer<Ref<VIF>> letGo) {
        for (DbObject<?> v : db.where("VIF", v -> vmRef.equals(v.get("VM")))) {
            try { letGo.accept(VIF.CLASS.ref(v.ref())); } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot detach VIF " + v.ref() + ": " + e);
            }
        }
    }
}
