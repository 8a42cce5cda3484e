package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.NetworkDefaultLockingMode;
import org.flotilla.model.xenapi.enums.NetworkOperations;
import org.flotilla.model.xenapi.enums.NetworkPurpose;

/** A virtual network: a Linux bridge on the host, which the taps of the VIFs on it join. */
public interface Network {
    ApiClass<Network> CLASS = ApiClass.declare(Network.class, "network")
            .doc("A virtual network: a Linux bridge on the host, which the taps of the VIFs on it join.");

    Field<Network, String> uuid = CLASS.dyn("uuid", STRING).doc("The network's unique identifier, fixed for its whole life.");
    Field<Network, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the network by; it need not be unique.");
    Field<Network, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the network.");
    Field<Network, List<NetworkOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(NetworkOperations.class)))
            .doc("The operations that may be started on the network now; Flotilla lists none.");
    Field<Network, Map<String, NetworkOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(NetworkOperations.class)))
            .doc("The operations under way on the network; Flotilla lists none.");
    Relation<Network, VIF> VIFs = CLASS.relation("VIFs", () -> VIF.network).doc("The VMs' NICs on this network.");
    Relation<Network, PIF> PIFs = CLASS.relation("PIFs", () -> PIF.network)
            .doc("The host interfaces that carry this network; a network made by network.create has none.");
    Field<Network, Long> MTU = CLASS.rw("MTU", INT, 1500L)
            .doc("The network's MTU in bytes (1500 unless given), which its bridge and new VIFs take.");
    Field<Network, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs for clients and tools; is_host_internal_management_network marks the internal network.");
    Field<Network, String> bridge = CLASS.ro("bridge", STRING)
            .doc("The name of the network's bridge on the host: xapi<N> unless create names one, xenbr<N> for a NIC's network.");
    Field<Network, Boolean> managed = CLASS.ro("managed", BOOL, true)
            .doc("Whether the host makes and removes the bridge; an unmanaged network uses a bridge that must already exist.");
    Field<Network, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)))
            .doc("Binary objects stored with the network, by name.");
    Field<Network, List<String>> tags = CLASS.rw("tags", STRING_SET).doc("Labels that users give networks, to group and find them.");
    Field<Network, NetworkDefaultLockingMode> default_locking_mode = CLASS.dyn("default_locking_mode", enumOf(NetworkDefaultLockingMode.class))
            .doc("The locking mode of the network's VIFs whose own is network_default; recorded, not enforced.");
    Field<Network, Map<Ref<VIF>, String>> assigned_ips = CLASS.dyn("assigned_ips", mapOf(ref(VIF.class), STRING))
            .doc("IP addresses given to VIFs on the network by the host; Flotilla gives none.");
    Field<Network, List<NetworkPurpose>> purpose = CLASS.dyn("purpose", setOf(enumOf(NetworkPurpose.class)))
            .doc("What else the network is for: nbd or insecure_nbd: VDI.get_nbd_info names the host's addresses on it (Flotilla serves NBD with TLS on both).");

    /** The messages of network that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a network from a record; its bridge is named for it unless given, and made when first needed.")
        @Api(role = Access.VM_ADMIN, errors = {"INVALID_VALUE", "BRIDGE_NAME_EXISTS"})
        Ref<Network> create(Rec<Network> args);

        @Doc("Remove the network and its unplugged VIFs; refused while a VIF on it is plugged or a PIF carries it.")
        @Api(role = Access.VM_ADMIN, errors = {"NETWORK_CONTAINS_VIF", "NETWORK_CONTAINS_PIF", "CANNOT_DESTROY_SYSTEM_NETWORK"})
        void destroy(Ref<Network> self);

        @Doc("Make the network's bridge exist and be up on the given host, which must be this one.")
        @Api(role = Access.POOL_OPERATOR, errors = {"BRIDGE_NOT_AVAILABLE"})
        void attach(Ref<Network> network, Ref<Host> host);

        @Doc("Make the bridges of all the VM's networks exist on the given host, which must be this one.")
        @Api(role = Access.VM_POWER_ADMIN)
        void attach_for_vm(Ref<Host> host, Ref<VM> vm);

        @Doc("Take the VM's VIFs off their networks on the given host, which must be this one.")
        @Api(role = Access.VM_POWER_ADMIN)
        void detach_for_vm(Ref<Host> host, Ref<VM> vm);

        @Doc("Change the network's default locking mode; refused while a VIF that follows it is plugged.")
        @Api(role = Access.POOL_OPERATOR, errors = {"VIF_IN_USE"})
        void set_default_locking_mode(Ref<Network> network, NetworkDefaultLockingMode value);

        @Doc("Give the network a purpose, unless it has it; nbd and insecure_nbd exclude each other in a pool.")
        @Api(errors = {"NETWORK_INCOMPATIBLE_PURPOSES", "NETWORK_UNMANAGED"})
        void add_purpose(Ref<Network> self, NetworkPurpose value);

        @Doc("Take a purpose off the network, if it has it.")
        void remove_purpose(Ref<Network> self, NetworkPurpose value);
    }
}
