package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.DomainType;

/** How a VM uses its resources: memory, vCPUs and times, kept up to date by the host while the VM runs. */
public interface VM_metrics {
    ApiClass<VM_metrics> CLASS = ApiClass.declare(VM_metrics.class, "VM_metrics")
            .doc("How a VM uses its resources: memory, vCPUs and times, kept up to date by the host while the VM runs.");

    Field<VM_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("The metrics record's unique identifier, fixed for its whole life.");
    Field<VM_metrics, Map<Long, Double>> VCPUs_utilisation = CLASS.dyn("VCPUs_utilisation", mapOf(INT, FLOAT))
            .doc("Each vCPU's use over the last 5 seconds, from 0 to 1, by vCPU number.");
    Field<VM_metrics, Long> memory_actual = CLASS.dyn("memory_actual", INT)
            .doc("The memory the guest has now, as its balloon reports it, in bytes; 0 while the VM does not run.");
    Field<VM_metrics, Long> VCPUs_number = CLASS.dyn("VCPUs_number", INT)
            .doc("How many vCPUs the running VM has; 0 while it does not run.");
    Field<VM_metrics, Map<Long, Long>> VCPUs_CPU = CLASS.dyn("VCPUs_CPU", mapOf(INT, INT))
            .doc("Which host CPU each vCPU runs on; Flotilla does not record it.");
    Field<VM_metrics, Map<String, String>> VCPUs_params = CLASS.dyn("VCPUs_params", STRING_MAP)
            .doc("The vCPU scheduling parameters in force; Flotilla does not record them here.");
    Field<VM_metrics, Map<Long, List<String>>> VCPUs_flags = CLASS.dyn("VCPUs_flags", mapOf(INT, STRING_SET))
            .doc("Flags of each vCPU; Flotilla does not record them.");
    Field<VM_metrics, List<String>> state = CLASS.dyn("state", STRING_SET)
            .doc("Flags of the running domain's state; always empty with Flotilla.");
    Field<VM_metrics, Instant> start_time = CLASS.dyn("start_time", DATETIME).doc("When the VM last booted.");
    Field<VM_metrics, Instant> install_time = CLASS.dyn("install_time", DATETIME).doc("When the VM was installed from its template.");
    Field<VM_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME).doc("When these metrics last changed.");
    Field<VM_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the metrics record.");
    Field<VM_metrics, Boolean> hvm = CLASS.dyn("hvm", BOOL)
            .doc("Whether the VM runs fully virtualised; always true for a VM that has run, as QEMU runs them all.");
    Field<VM_metrics, Boolean> nested_virt = CLASS.dyn("nested_virt", BOOL)
            .doc("Whether the VM may run VMs of its own; Flotilla does not record it.");
    Field<VM_metrics, Boolean> nomigrate = CLASS.dyn("nomigrate", BOOL)
            .doc("Whether the VM may not be migrated; Flotilla does not record it.");
    Field<VM_metrics, DomainType> current_domain_type = CLASS.dyn("current_domain_type", enumOf(DomainType.class), DomainType.unspecified)
            .doc("The kind of domain the VM runs as: hvm once it has run under QEMU, unspecified before.");
}
