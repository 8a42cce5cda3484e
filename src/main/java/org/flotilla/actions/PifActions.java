package org.flotilla.actions;

import org.flotilla.host.ThisHost;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.network.pif.Pifs;

/** PIF's messages: this host's interfaces as records. */
public final class PifActions implements PIF.Actions {
    private final Pifs pifs;
    private final ThisHost thisHost;

    public PifActions(Pifs pifs, ThisHost thisHost) {
        this.pifs = pifs;
        this.thisHost = thisHost;
    }

    @Override
    public void scan(Ref<Host> host) {
        thisHost.require(host);
        pifs.scan();
    }
}
