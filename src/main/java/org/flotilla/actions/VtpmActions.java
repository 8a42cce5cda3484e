package org.flotilla.actions;

import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.runtime.launch.Vtpms;

/** VTPM's messages: the virtual TPMs of the host's VMs, their state kept in secrets. */
public final class VtpmActions implements VTPM.Actions {
    private final Vtpms vtpms;

    public VtpmActions(Vtpms vtpms) { this.vtpms = vtpms; }

    @Override public Ref<VTPM> create(Ref<VM> vM, boolean is_unique) { return vtpms.create(vM, is_unique); }

    @Override public void destroy(Ref<VTPM> self) { vtpms.destroy(self); }

    @Override public String get_contents(Ref<VTPM> self) { return vtpms.contents(self); }

    @Override public void set_contents(Ref<VTPM> self, String contents) { vtpms.setContents(self, contents); }
}
