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

/** The XenAPI's class network. */
public interface Network {
    ApiClass<Network> CLASS = ApiClass.declare(Network.class, "network");

    Field<Network, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Network, String> name_label = CLASS.rw("name_label", STRING);
    Field<Network, String> name_description = CLASS.rw("name_description", STRING);
    Field<Network, List<NetworkOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(NetworkOperations.class)));
    Field<Network, Map<String, NetworkOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(NetworkOperations.class)));
    Relation<Network, VIF> VIFs = CLASS.relation("VIFs", () -> VIF.network);
    Relation<Network, PIF> PIFs = CLASS.relation("PIFs", () -> PIF.network);
    Field<Network, Long> MTU = CLASS.rw("MTU", INT, 1500L);
    Field<Network, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Network, String> bridge = CLASS.ro("bridge", STRING);
    Field<Network, Boolean> managed = CLASS.ro("managed", BOOL, true);
    Field<Network, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)));
    Field<Network, List<String>> tags = CLASS.rw("tags", STRING_SET);
    Field<Network, NetworkDefaultLockingMode> default_locking_mode = CLASS.dyn("default_locking_mode", enumOf(NetworkDefaultLockingMode.class));
    Field<Network, Map<Ref<VIF>, String>> assigned_ips = CLASS.dyn("assigned_ips", mapOf(ref(VIF.class), STRING));
    Field<Network, List<NetworkPurpose>> purpose = CLASS.dyn("purpose", setOf(enumOf(NetworkPurpose.class)));

    /** The messages of network that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Create a new network instance, and return its handle.")
        @Api(role = Access.VM_ADMIN, errors = {"INVALID_VALUE", "BRIDGE_NAME_EXISTS"})
        Ref<Network> create(Rec<Network> args);

        @Doc("Remove the network; refused while VIFs on it are attached")
        @Api(role = Access.VM_ADMIN, errors = {"NETWORK_CONTAINS_VIF", "NETWORK_CONTAINS_PIF", "CANNOT_DESTROY_SYSTEM_NETWORK"})
        void destroy(Ref<Network> self);

        @Doc("Makes the network immediately available on a particular host")
        @Api(role = Access.POOL_OPERATOR, errors = {"BRIDGE_NOT_AVAILABLE"})
        void attach(Ref<Network> network, Ref<Host> host);

        @Doc("Attaches all networks needed by a given VM on a particular host")
        @Api(role = Access.VM_POWER_ADMIN)
        void attach_for_vm(Ref<Host> host, Ref<VM> vm);

        @Doc("Detaches all networks of a given VM from a particular host")
        @Api(role = Access.VM_POWER_ADMIN)
        void detach_for_vm(Ref<Host> host, Ref<VM> vm);

        @Doc("Choose the locking mode VIFs on this network get when they say network_default")
        @Api(role = Access.POOL_OPERATOR, errors = {"VIF_IN_USE"})
        void set_default_locking_mode(Ref<Network> network, NetworkDefaultLockingMode value);

        @Doc("Add a purpose to the network, unless it has it")
        @Api(errors = {"NETWORK_INCOMPATIBLE_PURPOSES", "NETWORK_UNMANAGED"})
        void add_purpose(Ref<Network> self, NetworkPurpose value);

        @Doc("Take a purpose off the network, if it has it")
        void remove_purpose(Ref<Network> self, NetworkPurpose value);
    }
}
