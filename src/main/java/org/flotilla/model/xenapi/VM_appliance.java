package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.VmApplianceOperation;

/** A group of VMs started and shut down together, in order; declared for clients, Flotilla makes none. */
public interface VM_appliance {
    ApiClass<VM_appliance> CLASS = ApiClass.declare(VM_appliance.class, "VM_appliance")
            .doc("A group of VMs started and shut down together, in order; declared for clients, Flotilla makes none.");

    Field<VM_appliance, String> uuid = CLASS.dyn("uuid", STRING).doc("The appliance's unique identifier, fixed for its whole life.");
    Field<VM_appliance, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the appliance by; it need not be unique.");
    Field<VM_appliance, String> name_description = CLASS.rw("name_description", STRING)
            .doc("A longer free-text description of the appliance.");
    Field<VM_appliance, List<VmApplianceOperation>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VmApplianceOperation.class)))
            .doc("The operations that may be started on the appliance now.");
    Field<VM_appliance, Map<String, VmApplianceOperation>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VmApplianceOperation.class)))
            .doc("The operations under way on the appliance, each under the reference of the task that runs it.");
    Relation<VM_appliance, VM> VMs = CLASS.relation("VMs", () -> VM.appliance).doc("The VMs in the appliance.");
}
