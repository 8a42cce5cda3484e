package org.flotilla.actions;

import org.flotilla.api.Call;
import org.flotilla.runtime.VmRuntime;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.network.vif.Vifs;

/** VIF's messages: the records are the network's, hot-plugging a NIC into a running VM is the VM runtime's. */
public final class VifActions implements VIF.Actions {
    private final Vifs vifs;
    private final VmRuntime vms;

    public VifActions(Vifs vifs, VmRuntime vms) {
        this.vifs = vifs;
        this.vms = vms;
    }

    @Override public Ref<VIF> create(Rec<VIF> args) { return vifs.create(args); }

    @Override public void destroy(Ref<VIF> self) { vifs.destroy(self); }

    @Override public void plug(Ref<VIF> self) { vms.plugVif(Call.current(), self); }

    @Override public void unplug(Ref<VIF> self) { vms.unplugVif(Call.current(), self, false); }

    @Override public void unplug_force(Ref<VIF> self) { vms.unplugVif(Call.current(), self, true); }
}
