package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.DomainType;

/** The XenAPI's class VM_metrics. */
public interface VM_metrics {
    ApiClass<VM_metrics> CLASS = ApiClass.declare(VM_metrics.class, "VM_metrics");

    Field<VM_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VM_metrics, Map<Long, Double>> VCPUs_utilisation = CLASS.dyn("VCPUs_utilisation", mapOf(INT, FLOAT));
    Field<VM_metrics, Long> memory_actual = CLASS.dyn("memory_actual", INT);
    Field<VM_metrics, Long> VCPUs_number = CLASS.dyn("VCPUs_number", INT);
    Field<VM_metrics, Map<Long, Long>> VCPUs_CPU = CLASS.dyn("VCPUs_CPU", mapOf(INT, INT));
    Field<VM_metrics, Map<String, String>> VCPUs_params = CLASS.dyn("VCPUs_params", STRING_MAP);
    Field<VM_metrics, Map<Long, List<String>>> VCPUs_flags = CLASS.dyn("VCPUs_flags", mapOf(INT, STRING_SET));
    Field<VM_metrics, List<String>> state = CLASS.dyn("state", STRING_SET);
    Field<VM_metrics, Instant> start_time = CLASS.dyn("start_time", DATETIME);
    Field<VM_metrics, Instant> install_time = CLASS.dyn("install_time", DATETIME);
    Field<VM_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME);
    Field<VM_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VM_metrics, Boolean> hvm = CLASS.dyn("hvm", BOOL);
    Field<VM_metrics, Boolean> nested_virt = CLASS.dyn("nested_virt", BOOL);
    Field<VM_metrics, Boolean> nomigrate = CLASS.dyn("nomigrate", BOOL);
    Field<VM_metrics, DomainType> current_domain_type = CLASS.dyn("current_domain_type", enumOf(DomainType.class), DomainType.unspecified);
}
