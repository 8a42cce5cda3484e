package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.SdnControllerProtocol;

/** A software-defined networking controller for Open vSwitch; Flotilla uses Linux bridges and makes none. */
public interface SDN_controller {
    ApiClass<SDN_controller> CLASS = ApiClass.declare(SDN_controller.class, "SDN_controller")
            .doc("A software-defined networking controller for Open vSwitch; Flotilla uses Linux bridges and makes none.");

    Field<SDN_controller, String> uuid = CLASS.dyn("uuid", STRING).doc("The SDN controller's unique identifier, fixed for its whole life.");
    Field<SDN_controller, SdnControllerProtocol> protocol = CLASS.ro("protocol", enumOf(SdnControllerProtocol.class))
            .doc("How to reach the controller: ssl or pssl.");
    Field<SDN_controller, String> address = CLASS.ro("address", STRING).doc("The controller's address.");
    Field<SDN_controller, Long> port = CLASS.ro("port", INT).doc("The controller's TCP port.");
}
