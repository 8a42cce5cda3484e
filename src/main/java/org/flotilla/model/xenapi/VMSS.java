package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.VmssFrequency;
import org.flotilla.model.xenapi.enums.VmssType;

/** The XenAPI's class VMSS. */
public interface VMSS {
    ApiClass<VMSS> CLASS = ApiClass.declare(VMSS.class, "VMSS");

    Field<VMSS, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VMSS, String> name_label = CLASS.rw("name_label", STRING);
    Field<VMSS, String> name_description = CLASS.rw("name_description", STRING);
    Field<VMSS, Boolean> enabled = CLASS.rw("enabled", BOOL, true);
    Field<VMSS, VmssType> type = CLASS.ro("type", enumOf(VmssType.class));
    Field<VMSS, Long> retained_snapshots = CLASS.ro("retained_snapshots", INT, 7L);
    Field<VMSS, VmssFrequency> frequency = CLASS.ro("frequency", enumOf(VmssFrequency.class));
    Field<VMSS, Map<String, String>> schedule = CLASS.ro("schedule", STRING_MAP);
    Field<VMSS, Instant> last_run_time = CLASS.dyn("last_run_time", DATETIME);
    Relation<VMSS, VM> VMs = CLASS.relation("VMs", () -> VM.snapshot_schedule);
}
