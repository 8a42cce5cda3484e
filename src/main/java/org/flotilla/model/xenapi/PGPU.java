package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.PgpuDom0Access;

/** A physical GPU of a host; Flotilla passes no GPUs through and makes none. */
public interface PGPU {
    ApiClass<PGPU> CLASS = ApiClass.declare(PGPU.class, "PGPU")
            .doc("A physical GPU of a host; Flotilla passes no GPUs through and makes none.");

    Field<PGPU, String> uuid = CLASS.dyn("uuid", STRING).doc("The physical GPU's unique identifier, fixed for its whole life.");
    Field<PGPU, Ref<PCI>> PCI = CLASS.ro("PCI", ref(PCI.class)).doc("The GPU's PCI device.");
    Field<PGPU, Ref<GPU_group>> GPU_group = CLASS.ro("GPU_group", ref(GPU_group.class)).doc("The group the GPU is in.");
    Field<PGPU, Ref<Host>> host = CLASS.dyn("host", ref(Host.class)).doc("The host the GPU is in.");
    Field<PGPU, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the physical GPU.");
    Field<PGPU, List<Ref<VGPU_type>>> supported_VGPU_types = CLASS.dyn("supported_VGPU_types", setOf(ref(VGPU_type.class)))
            .doc("The kinds of virtual GPU it can run.");
    Field<PGPU, List<Ref<VGPU_type>>> enabled_VGPU_types = CLASS.dyn("enabled_VGPU_types", setOf(ref(VGPU_type.class)))
            .doc("The kinds of virtual GPU it may run.");
    Relation<PGPU, VGPU> resident_VGPUs = CLASS.relation("resident_VGPUs", () -> VGPU.resident_on).doc("The virtual GPUs running on it.");
    Field<PGPU, Map<Ref<VGPU_type>, Long>> supported_VGPU_max_capacities = CLASS.dyn("supported_VGPU_max_capacities", mapOf(ref(VGPU_type.class), INT))
            .doc("How many of each kind of virtual GPU it can run at once.");
    Field<PGPU, PgpuDom0Access> dom0_access = CLASS.dyn("dom0_access", enumOf(PgpuDom0Access.class))
            .doc("Whether the host itself may use the GPU.");
    Field<PGPU, Boolean> is_system_display_device = CLASS.dyn("is_system_display_device", BOOL)
            .doc("Whether the GPU shows the host's console.");
    Field<PGPU, Map<String, String>> compatibility_metadata = CLASS.dyn("compatibility_metadata", STRING_MAP)
            .doc("Vendor data that decides which virtual GPUs may move to it.");
}
