package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.VgpuTypeImplementation;

/** The XenAPI's class VGPU_type. */
public interface VGPU_type {
    ApiClass<VGPU_type> CLASS = ApiClass.declare(VGPU_type.class, "VGPU_type");

    Field<VGPU_type, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VGPU_type, String> vendor_name = CLASS.ro("vendor_name", STRING);
    Field<VGPU_type, String> model_name = CLASS.ro("model_name", STRING);
    Field<VGPU_type, Long> framebuffer_size = CLASS.ro("framebuffer_size", INT);
    Field<VGPU_type, Long> max_heads = CLASS.ro("max_heads", INT);
    Field<VGPU_type, Long> max_resolution_x = CLASS.ro("max_resolution_x", INT);
    Field<VGPU_type, Long> max_resolution_y = CLASS.ro("max_resolution_y", INT);
    Field<VGPU_type, List<Ref<PGPU>>> supported_on_PGPUs = CLASS.dyn("supported_on_PGPUs", setOf(ref(PGPU.class)));
    Field<VGPU_type, List<Ref<PGPU>>> enabled_on_PGPUs = CLASS.dyn("enabled_on_PGPUs", setOf(ref(PGPU.class)));
    Relation<VGPU_type, VGPU> VGPUs = CLASS.relation("VGPUs", () -> VGPU.type);
    Field<VGPU_type, List<Ref<GPU_group>>> supported_on_GPU_groups = CLASS.dyn("supported_on_GPU_groups", setOf(ref(GPU_group.class)));
    Field<VGPU_type, List<Ref<GPU_group>>> enabled_on_GPU_groups = CLASS.dyn("enabled_on_GPU_groups", setOf(ref(GPU_group.class)));
    Field<VGPU_type, VgpuTypeImplementation> implementation = CLASS.ro("implementation", enumOf(VgpuTypeImplementation.class));
    Field<VGPU_type, String> identifier = CLASS.ro("identifier", STRING);
    Field<VGPU_type, Boolean> experimental = CLASS.ro("experimental", BOOL);
    Field<VGPU_type, List<Ref<VGPU_type>>> compatible_types_in_vm = CLASS.dyn("compatible_types_in_vm", setOf(ref(VGPU_type.class)));
}
