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

/** The XenAPI's class PIF. */
public interface PIF {
    ApiClass<PIF> CLASS = ApiClass.declare(PIF.class, "PIF");

    Field<PIF, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PIF, String> device = CLASS.ro("device", STRING);
    Field<PIF, Ref<Network>> network = CLASS.ro("network", ref(Network.class));
    Field<PIF, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<PIF, String> MAC = CLASS.ro("MAC", STRING);
    Field<PIF, Long> MTU = CLASS.ro("MTU", INT);
    Field<PIF, Long> VLAN = CLASS.ro("VLAN", INT);
    Field<PIF, Ref<PIF_metrics>> metrics = CLASS.dyn("metrics", ref(PIF_metrics.class));
    Field<PIF, Boolean> physical = CLASS.dyn("physical", BOOL);
    Field<PIF, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL, true);
    Field<PIF, IpConfigurationMode> ip_configuration_mode = CLASS.dyn("ip_configuration_mode", enumOf(IpConfigurationMode.class));
    Field<PIF, String> IP = CLASS.dyn("IP", STRING);
    Field<PIF, String> netmask = CLASS.dyn("netmask", STRING);
    Field<PIF, String> gateway = CLASS.dyn("gateway", STRING);
    Field<PIF, String> DNS = CLASS.dyn("DNS", STRING);
    Field<PIF, Ref<Bond>> bond_slave_of = CLASS.dyn("bond_slave_of", ref(Bond.class));
    Relation<PIF, Bond> bond_master_of = CLASS.relation("bond_master_of", () -> Bond.master);
    Field<PIF, Ref<VLAN>> VLAN_master_of = CLASS.dyn("VLAN_master_of", ref(VLAN.class));
    Relation<PIF, VLAN> VLAN_slave_of = CLASS.relation("VLAN_slave_of", () -> org.flotilla.model.xenapi.VLAN.tagged_PIF);
    Field<PIF, Boolean> management = CLASS.dyn("management", BOOL);
    Field<PIF, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<PIF, Boolean> disallow_unplug = CLASS.dyn("disallow_unplug", BOOL);
    Relation<PIF, Tunnel> tunnel_access_PIF_of = CLASS.relation("tunnel_access_PIF_of", () -> Tunnel.access_PIF);
    Relation<PIF, Tunnel> tunnel_transport_PIF_of = CLASS.relation("tunnel_transport_PIF_of", () -> Tunnel.transport_PIF);
    Field<PIF, Ipv6ConfigurationMode> ipv6_configuration_mode = CLASS.dyn("ipv6_configuration_mode", enumOf(Ipv6ConfigurationMode.class));
    Field<PIF, List<String>> IPv6 = CLASS.dyn("IPv6", STRING_SET);
    Field<PIF, String> ipv6_gateway = CLASS.dyn("ipv6_gateway", STRING);
    Field<PIF, PrimaryAddressType> primary_address_type = CLASS.dyn("primary_address_type", enumOf(PrimaryAddressType.class));
    Field<PIF, Boolean> managed = CLASS.ro("managed", BOOL, true);
    Field<PIF, Map<String, String>> properties = CLASS.dyn("properties", STRING_MAP);
    Field<PIF, List<String>> capabilities = CLASS.dyn("capabilities", STRING_SET);
    Field<PIF, PifIgmpStatus> igmp_snooping_status = CLASS.dyn("igmp_snooping_status", enumOf(PifIgmpStatus.class), PifIgmpStatus.unknown);
    Relation<PIF, Network_sriov> sriov_physical_PIF_of = CLASS.relation("sriov_physical_PIF_of", () -> Network_sriov.physical_PIF);
    Relation<PIF, Network_sriov> sriov_logical_PIF_of = CLASS.relation("sriov_logical_PIF_of", () -> Network_sriov.logical_PIF);
    Field<PIF, Ref<PCI>> PCI = CLASS.dyn("PCI", ref(PCI.class));

    /** The messages of PIF that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Record a PIF for each network interface of the host not yet known")
        @Api(role = Access.POOL_OPERATOR)
        void scan(Ref<Host> host);
    }
}
