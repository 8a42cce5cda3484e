package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.AllocationAlgorithm;

/** Physical GPUs that VMs may use alike; Flotilla makes none. */
public interface GPU_group {
    ApiClass<GPU_group> CLASS = ApiClass.declare(GPU_group.class, "GPU_group")
            .doc("Physical GPUs that VMs may use alike; Flotilla makes none.");

    Field<GPU_group, String> uuid = CLASS.dyn("uuid", STRING).doc("The GPU group's unique identifier, fixed for its whole life.");
    Field<GPU_group, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the GPU group by; it need not be unique.");
    Field<GPU_group, String> name_description = CLASS.rw("name_description", STRING)
            .doc("A longer free-text description of the GPU group.");
    Relation<GPU_group, PGPU> PGPUs = CLASS.relation("PGPUs", () -> PGPU.GPU_group).doc("The physical GPUs in the group.");
    Relation<GPU_group, VGPU> VGPUs = CLASS.relation("VGPUs", () -> VGPU.GPU_group).doc("The virtual GPUs taken from the group.");
    Field<GPU_group, List<String>> GPU_types = CLASS.dyn("GPU_types", STRING_SET).doc("The kinds of GPU in the group.");
    Field<GPU_group, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the GPU group.");
    Field<GPU_group, AllocationAlgorithm> allocation_algorithm = CLASS.rw("allocation_algorithm", enumOf(AllocationAlgorithm.class), AllocationAlgorithm.depth_first)
            .doc("Whether new virtual GPUs fill one GPU first (depth_first) or spread (breadth_first).");
    Field<GPU_group, List<Ref<VGPU_type>>> supported_VGPU_types = CLASS.dyn("supported_VGPU_types", setOf(ref(VGPU_type.class)))
            .doc("The kinds of virtual GPU the group's GPUs can run.");
    Field<GPU_group, List<Ref<VGPU_type>>> enabled_VGPU_types = CLASS.dyn("enabled_VGPU_types", setOf(ref(VGPU_type.class)))
            .doc("The kinds of virtual GPU the group's GPUs may run.");
}
