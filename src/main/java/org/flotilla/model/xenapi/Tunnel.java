package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.TunnelProtocol;

/** The XenAPI's class tunnel. */
public interface Tunnel {
    ApiClass<Tunnel> CLASS = ApiClass.declare(Tunnel.class, "tunnel");

    Field<Tunnel, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Tunnel, Ref<PIF>> access_PIF = CLASS.ro("access_PIF", ref(PIF.class));
    Field<Tunnel, Ref<PIF>> transport_PIF = CLASS.ro("transport_PIF", ref(PIF.class));
    Field<Tunnel, Map<String, String>> status = CLASS.rw("status", STRING_MAP, Map.of("active", "false"));
    Field<Tunnel, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Tunnel, TunnelProtocol> protocol = CLASS.rw("protocol", enumOf(TunnelProtocol.class));
}
