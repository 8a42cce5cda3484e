package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.SdnControllerProtocol;

/** The XenAPI's class SDN_controller. */
public interface SDN_controller {
    ApiClass<SDN_controller> CLASS = ApiClass.declare(SDN_controller.class, "SDN_controller");

    Field<SDN_controller, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<SDN_controller, SdnControllerProtocol> protocol = CLASS.ro("protocol", enumOf(SdnControllerProtocol.class));
    Field<SDN_controller, String> address = CLASS.ro("address", STRING);
    Field<SDN_controller, Long> port = CLASS.ro("port", INT);
}
