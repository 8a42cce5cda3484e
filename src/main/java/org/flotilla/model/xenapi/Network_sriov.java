package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.SriovConfigurationMode;

/** A network on the virtual functions of an SR-IOV NIC; Flotilla passes no PCI devices through. */
public interface Network_sriov {
    ApiClass<Network_sriov> CLASS = ApiClass.declare(Network_sriov.class, "network_sriov")
            .doc("A network on the virtual functions of an SR-IOV NIC; Flotilla passes no PCI devices through.");

    Field<Network_sriov, String> uuid = CLASS.dyn("uuid", STRING).doc("The SR-IOV network's unique identifier, fixed for its whole life.");
    Field<Network_sriov, Ref<PIF>> physical_PIF = CLASS.ro("physical_PIF", ref(PIF.class)).doc("The NIC's physical function.");
    Field<Network_sriov, Ref<PIF>> logical_PIF = CLASS.ro("logical_PIF", ref(PIF.class))
            .doc("The interface that stands for the SR-IOV network.");
    Field<Network_sriov, Boolean> requires_reboot = CLASS.dyn("requires_reboot", BOOL)
            .doc("Whether the host must reboot for SR-IOV to work.");
    Field<Network_sriov, SriovConfigurationMode> configuration_mode = CLASS.dyn("configuration_mode", enumOf(SriovConfigurationMode.class), SriovConfigurationMode.unknown)
            .doc("How SR-IOV is set up on the NIC: sysfs, modprobe, manual or unknown.");
}
