package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.VmssFrequency;
import org.flotilla.model.xenapi.enums.VmssType;

/** A schedule of VM snapshots; declared for clients, Flotilla makes none and runs no schedules. */
public interface VMSS {
    ApiClass<VMSS> CLASS = ApiClass.declare(VMSS.class, "VMSS")
            .doc("A schedule of VM snapshots; declared for clients, Flotilla makes none and runs no schedules.");

    Field<VMSS, String> uuid = CLASS.dyn("uuid", STRING).doc("The snapshot schedule's unique identifier, fixed for its whole life.");
    Field<VMSS, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the snapshot schedule by; it need not be unique.");
    Field<VMSS, String> name_description = CLASS.rw("name_description", STRING)
            .doc("A longer free-text description of the snapshot schedule.");
    Field<VMSS, Boolean> enabled = CLASS.rw("enabled", BOOL, true).doc("Whether the schedule takes snapshots.");
    Field<VMSS, VmssType> type = CLASS.ro("type", enumOf(VmssType.class))
            .doc("What the schedule takes: plain snapshots, with memory (checkpoints), or quiesced ones.");
    Field<VMSS, Long> retained_snapshots = CLASS.ro("retained_snapshots", INT, 7L)
            .doc("How many of its snapshots the schedule keeps for each VM; older ones go.");
    Field<VMSS, VmssFrequency> frequency = CLASS.ro("frequency", enumOf(VmssFrequency.class))
            .doc("How often the schedule runs: hourly, daily or weekly.");
    Field<VMSS, Map<String, String>> schedule = CLASS.ro("schedule", STRING_MAP)
            .doc("When in the period the schedule runs (keys such as hour, min and days).");
    Field<VMSS, Instant> last_run_time = CLASS.dyn("last_run_time", DATETIME).doc("When the schedule last ran.");
    Relation<VMSS, VM> VMs = CLASS.relation("VMs", () -> VM.snapshot_schedule).doc("The VMs the schedule snapshots.");
}
