package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.SriovConfigurationMode;

/** The XenAPI's class network_sriov. */
public interface Network_sriov {
    ApiClass<Network_sriov> CLASS = ApiClass.declare(Network_sriov.class, "network_sriov");

    Field<Network_sriov, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Network_sriov, Ref<PIF>> physical_PIF = CLASS.ro("physical_PIF", ref(PIF.class));
    Field<Network_sriov, Ref<PIF>> logical_PIF = CLASS.ro("logical_PIF", ref(PIF.class));
    Field<Network_sriov, Boolean> requires_reboot = CLASS.dyn("requires_reboot", BOOL);
    Field<Network_sriov, SriovConfigurationMode> configuration_mode = CLASS.dyn("configuration_mode", enumOf(SriovConfigurationMode.class), SriovConfigurationMode.unknown);
}
