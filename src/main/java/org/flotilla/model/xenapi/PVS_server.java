package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A Citrix Provisioning Services server; Flotilla makes none. */
public interface PVS_server {
    ApiClass<PVS_server> CLASS = ApiClass.declare(PVS_server.class, "PVS_server")
            .doc("A Citrix Provisioning Services server; Flotilla makes none.");

    Field<PVS_server, String> uuid = CLASS.dyn("uuid", STRING).doc("The PVS server's unique identifier, fixed for its whole life.");
    Field<PVS_server, List<String>> addresses = CLASS.ro("addresses", STRING_SET).doc("The server's IP addresses.");
    Field<PVS_server, Long> first_port = CLASS.ro("first_port", INT).doc("The first UDP port the server uses.");
    Field<PVS_server, Long> last_port = CLASS.ro("last_port", INT).doc("The last UDP port the server uses.");
    Field<PVS_server, Ref<PVS_site>> site = CLASS.ro("site", ref(PVS_site.class)).doc("The PVS site the server belongs to.");
}
