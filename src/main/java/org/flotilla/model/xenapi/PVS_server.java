package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class PVS_server. */
public interface PVS_server {
    ApiClass<PVS_server> CLASS = ApiClass.declare(PVS_server.class, "PVS_server");

    Field<PVS_server, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PVS_server, List<String>> addresses = CLASS.ro("addresses", STRING_SET);
    Field<PVS_server, Long> first_port = CLASS.ro("first_port", INT);
    Field<PVS_server, Long> last_port = CLASS.ro("last_port", INT);
    Field<PVS_server, Ref<PVS_site>> site = CLASS.ro("site", ref(PVS_site.class));
}
