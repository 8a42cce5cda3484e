package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.IpConfigurationMode;
import org.flotilla.model.xenapi.enums.Ipv6ConfigurationMode;
import org.flotilla.model.xenapi.enums.PifIgmpStatus;
import org.flotilla.model.xenapi.enums.PrimaryAddressType;

/** A physical network interface of a host, as PIF.scan finds it; Flotilla records NICs but never reconfigures them. */
public interface PIF {
    ApiClass<PIF> CLASS = ApiClass.declare(PIF.class, "PIF")
            .doc("A physical network interface of a host, as PIF.scan finds it; Flotilla records NICs but never reconfigures them.");

    Field<PIF, String> uuid = CLASS.dyn("uuid", STRING).doc("The PIF's unique identifier, fixed for its whole life.");
    Field<PIF, String> device = CLASS.ro("device", STRING).doc("The interface's name on the host, e.g. eth0.");
    Field<PIF, Ref<Network>> network = CLASS.ro("network", ref(Network.class))
            .doc("The network the interface carries: the one whose bridge is xenbr<N> for eth<N>, br<device> otherwise.");
    Field<PIF, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host the interface is on.");
    Field<PIF, String> MAC = CLASS.ro("MAC", STRING).doc("The interface's MAC address.");
    Field<PIF, Long> MTU = CLASS.ro("MTU", INT).doc("The interface's MTU in bytes.");
    Field<PIF, Long> VLAN = CLASS.ro("VLAN", INT).doc("The VLAN tag of a VLAN interface; -1 for an untagged one.");
    Field<PIF, Ref<PIF_metrics>> metrics = CLASS.dyn("metrics", ref(PIF_metrics.class))
            .doc("The interface's metrics: link, speed, device.");
    Field<PIF, Boolean> physical = CLASS.dyn("physical", BOOL)
            .doc("Whether the interface is a device of the host rather than a VLAN or bond; true for all Flotilla records.");
    Field<PIF, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL, true).doc("Whether the interface is up.");
    Field<PIF, IpConfigurationMode> ip_configuration_mode = CLASS.dyn("ip_configuration_mode", enumOf(IpConfigurationMode.class))
            .doc("How the interface gets its IPv4 address; Flotilla does not configure it and leaves None.");
    Field<PIF, String> IP = CLASS.dyn("IP", STRING).doc("The interface's IPv4 address as the host has it configured; empty if none.");
    Field<PIF, String> netmask = CLASS.dyn("netmask", STRING).doc("The netmask of that address.");
    Field<PIF, String> gateway = CLASS.dyn("gateway", STRING).doc("The IPv4 gateway through the interface; Flotilla does not record it.");
    Field<PIF, String> DNS = CLASS.dyn("DNS", STRING).doc("The DNS servers through the interface; Flotilla does not record them.");
    Field<PIF, Ref<Bond>> bond_slave_of = CLASS.dyn("bond_slave_of", ref(Bond.class))
            .doc("The bond the interface is a member of, if any; Flotilla makes no bonds.");
    Relation<PIF, Bond> bond_master_of = CLASS.relation("bond_master_of", () -> Bond.master)
            .doc("The bonds this interface is the bond interface of.");
    Field<PIF, Ref<VLAN>> VLAN_master_of = CLASS.dyn("VLAN_master_of", ref(VLAN.class))
            .doc("The VLAN this interface is the tagged interface of, if any.");
    Relation<PIF, VLAN> VLAN_slave_of = CLASS.relation("VLAN_slave_of", () -> org.flotilla.model.xenapi.VLAN.tagged_PIF)
            .doc("The VLANs carried on this interface.");
    Field<PIF, Boolean> management = CLASS.dyn("management", BOOL)
            .doc("Whether the host's management address (the one clients reach it at) is on this interface.");
    Field<PIF, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the interface.");
    Field<PIF, Boolean> disallow_unplug = CLASS.dyn("disallow_unplug", BOOL)
            .doc("Whether the interface may not be unplugged (as for storage traffic).");
    Relation<PIF, Tunnel> tunnel_access_PIF_of = CLASS.relation("tunnel_access_PIF_of", () -> Tunnel.access_PIF)
            .doc("The tunnels this is the access interface of.");
    Relation<PIF, Tunnel> tunnel_transport_PIF_of = CLASS.relation("tunnel_transport_PIF_of", () -> Tunnel.transport_PIF)
            .doc("The tunnels carried over this interface.");
    Field<PIF, Ipv6ConfigurationMode> ipv6_configuration_mode = CLASS.dyn("ipv6_configuration_mode", enumOf(Ipv6ConfigurationMode.class))
            .doc("How the interface gets its IPv6 addresses; Flotilla does not configure it.");
    Field<PIF, List<String>> IPv6 = CLASS.dyn("IPv6", STRING_SET).doc("The interface's IPv6 addresses; Flotilla does not record them.");
    Field<PIF, String> ipv6_gateway = CLASS.dyn("ipv6_gateway", STRING)
            .doc("The IPv6 gateway through the interface; Flotilla does not record it.");
    Field<PIF, PrimaryAddressType> primary_address_type = CLASS.dyn("primary_address_type", enumOf(PrimaryAddressType.class))
            .doc("Whether the management address is IPv4 or IPv6.");
    Field<PIF, Boolean> managed = CLASS.ro("managed", BOOL, true).doc("Whether the host manages the interface's configuration.");
    Field<PIF, Map<String, String>> properties = CLASS.dyn("properties", STRING_MAP)
            .doc("Settings of the interface, e.g. gro (generic receive offload): on.");
    Field<PIF, List<String>> capabilities = CLASS.dyn("capabilities", STRING_SET).doc("Settings the interface can take in properties.");
    Field<PIF, PifIgmpStatus> igmp_snooping_status = CLASS.dyn("igmp_snooping_status", enumOf(PifIgmpStatus.class), PifIgmpStatus.unknown)
            .doc("Whether IGMP snooping is on for the interface's bridge; unknown with Flotilla.");
    Relation<PIF, Network_sriov> sriov_physical_PIF_of = CLASS.relation("sriov_physical_PIF_of", () -> Network_sriov.physical_PIF)
            .doc("The SR-IOV networks this interface is the physical function of.");
    Relation<PIF, Network_sriov> sriov_logical_PIF_of = CLASS.relation("sriov_logical_PIF_of", () -> Network_sriov.logical_PIF)
            .doc("The SR-IOV networks this interface is the logical interface of.");
    Field<PIF, Ref<PCI>> PCI = CLASS.dyn("PCI", ref(PCI.class)).doc("The PCI device of the NIC; Flotilla does not record it.");

    /** The messages of PIF that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Record a PIF (and a network for it) for each NIC of the host not yet known; the NICs are left as they are.")
        @Api(role = Access.POOL_OPERATOR)
        void scan(Ref<Host> host);
    }
}
