package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.AllocationAlgorithm;

/** The XenAPI's class GPU_group. */
public interface GPU_group {
    ApiClass<GPU_group> CLASS = ApiClass.declare(GPU_group.class, "GPU_group");

    Field<GPU_group, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<GPU_group, String> name_label = CLASS.rw("name_label", STRING);
    Field<GPU_group, String> name_description = CLASS.rw("name_description", STRING);
    Relation<GPU_group, PGPU> PGPUs = CLASS.relation("PGPUs", () -> PGPU.GPU_group);
    Relation<GPU_group, VGPU> VGPUs = CLASS.relation("VGPUs", () -> VGPU.GPU_group);
    Field<GPU_group, List<String>> GPU_types = CLASS.dyn("GPU_types", STRING_SET);
    Field<GPU_group, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<GPU_group, AllocationAlgorithm> allocation_algorithm = CLASS.rw("allocation_algorithm", enumOf(AllocationAlgorithm.class), AllocationAlgorithm.depth_first);
    Field<GPU_group, List<Ref<VGPU_type>>> supported_VGPU_types = CLASS.dyn("supported_VGPU_types", setOf(ref(VGPU_type.class)));
    Field<GPU_group, List<Ref<VGPU_type>>> enabled_VGPU_types = CLASS.dyn("enabled_VGPU_types", setOf(ref(VGPU_type.class)));
}
