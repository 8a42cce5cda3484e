package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.VmApplianceOperation;

/** The XenAPI's class VM_appliance. */
public interface VM_appliance {
    ApiClass<VM_appliance> CLASS = ApiClass.declare(VM_appliance.class, "VM_appliance");

    Field<VM_appliance, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VM_appliance, String> name_label = CLASS.rw("name_label", STRING);
    Field<VM_appliance, String> name_description = CLASS.rw("name_description", STRING);
    Field<VM_appliance, List<VmApplianceOperation>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VmApplianceOperation.class)));
    Field<VM_appliance, Map<String, VmApplianceOperation>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VmApplianceOperation.class)));
    Relation<VM_appliance, VM> VMs = CLASS.relation("VMs", () -> VM.appliance);
}
