package org.flotilla.actions;

import java.util.Map;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.storage.Pbds;

/** PBD's messages: whether a host has an SR attached, and where it finds it. */
public final class PbdActions implements PBD.Actions {
    private final Pbds pbds;

    public PbdActions(Pbds pbds) { this.pbds = pbds; }

    @Override public Ref<PBD> create(Rec<PBD> args) { return pbds.create(args); }

    @Override public void destroy(Ref<PBD> self) { pbds.destroy(self); }

    @Override public void plug(Ref<PBD> self) { pbds.plug(self, true); }

    @Override public void unplug(Ref<PBD> self) { pbds.unplug(self); }

    @Override public void set_device_config(Ref<PBD> self, Map<String, String> value) { pbds.setDeviceConfig(self, value); }
}
