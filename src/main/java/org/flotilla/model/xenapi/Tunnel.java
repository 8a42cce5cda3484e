package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.TunnelProtocol;

/** A network carried over another interface between hosts (GRE or VXLAN); Flotilla makes no tunnels. */
public interface Tunnel {
    ApiClass<Tunnel> CLASS = ApiClass.declare(Tunnel.class, "tunnel")
            .doc("A network carried over another interface between hosts (GRE or VXLAN); Flotilla makes no tunnels.");

    Field<Tunnel, String> uuid = CLASS.dyn("uuid", STRING).doc("The tunnel's unique identifier, fixed for its whole life.");
    Field<Tunnel, Ref<PIF>> access_PIF = CLASS.ro("access_PIF", ref(PIF.class))
            .doc("The interface that stands for the tunnel on the host.");
    Field<Tunnel, Ref<PIF>> transport_PIF = CLASS.ro("transport_PIF", ref(PIF.class)).doc("The interface the tunnel's traffic goes over.");
    Field<Tunnel, Map<String, String>> status = CLASS.rw("status", STRING_MAP, Map.of("active", "false"))
            .doc("The tunnel's state: active (true or false) and more.");
    Field<Tunnel, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the tunnel.");
    Field<Tunnel, TunnelProtocol> protocol = CLASS.rw("protocol", enumOf(TunnelProtocol.class)).doc("gre or vxlan.");
}
