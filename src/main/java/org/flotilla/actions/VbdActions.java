package org.flotilla.actions;

import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.runtime.VmRuntime;
import org.flotilla.vm.VbdRecords;

/** VBD's messages: its record ({@link VbdRecords}) and, while its VM runs, its disk in the VM's QEMU ({@link VmRuntime}). */
public final class VbdActions implements VBD.Actions {
    private final VbdRecords records;
    private final VmRuntime runtime;

    public VbdActions(VbdRecords records, VmRuntime runtime) {
        this.records = records;
        this.runtime = runtime;
    }

    @Override public Ref<VBD> create(Rec<VBD> args) { return records.create(args); }

    @Override public void destroy(Ref<VBD> self) { records.destroy(self); }

    @Override public void set_mode(Ref<VBD> self, VbdMode value) { records.setMode(self, value); }

    @Override public void plug(Ref<VBD> self) { runtime.plugVbd(self); }

    @Override public void unplug(Ref<VBD> self) { runtime.unplugVbd(self, false); }

    @Override public void unplug_force(Ref<VBD> self) { runtime.unplugVbd(self, true); }

    @Override public void insert(Ref<VBD> vbd, Ref<VDI> vdi) { runtime.insertMedium(vbd, vdi); }

    @Override public void eject(Ref<VBD> vbd) { runtime.ejectMedium(vbd); }
}
