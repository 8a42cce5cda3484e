package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.VgpuTypeImplementation;

/** A kind of virtual GPU a physical GPU can offer; Flotilla makes none. */
public interface VGPU_type {
    ApiClass<VGPU_type> CLASS = ApiClass.declare(VGPU_type.class, "VGPU_type")
            .doc("A kind of virtual GPU a physical GPU can offer; Flotilla makes none.");

    Field<VGPU_type, String> uuid = CLASS.dyn("uuid", STRING).doc("The virtual GPU type's unique identifier, fixed for its whole life.");
    Field<VGPU_type, String> vendor_name = CLASS.ro("vendor_name", STRING).doc("Who makes it.");
    Field<VGPU_type, String> model_name = CLASS.ro("model_name", STRING).doc("Its model name.");
    Field<VGPU_type, Long> framebuffer_size = CLASS.ro("framebuffer_size", INT).doc("Its video memory in bytes.");
    Field<VGPU_type, Long> max_heads = CLASS.ro("max_heads", INT).doc("How many displays it can drive.");
    Field<VGPU_type, Long> max_resolution_x = CLASS.ro("max_resolution_x", INT).doc("Its widest resolution, in pixels.");
    Field<VGPU_type, Long> max_resolution_y = CLASS.ro("max_resolution_y", INT).doc("Its tallest resolution, in pixels.");
    Field<VGPU_type, List<Ref<PGPU>>> supported_on_PGPUs = CLASS.dyn("supported_on_PGPUs", setOf(ref(PGPU.class)))
            .doc("The physical GPUs that can run it.");
    Field<VGPU_type, List<Ref<PGPU>>> enabled_on_PGPUs = CLASS.dyn("enabled_on_PGPUs", setOf(ref(PGPU.class)))
            .doc("The physical GPUs that may run it.");
    Relation<VGPU_type, VGPU> VGPUs = CLASS.relation("VGPUs", () -> VGPU.type).doc("The virtual GPUs of this type.");
    Field<VGPU_type, List<Ref<GPU_group>>> supported_on_GPU_groups = CLASS.dyn("supported_on_GPU_groups", setOf(ref(GPU_group.class)))
            .doc("The GPU groups that can run it.");
    Field<VGPU_type, List<Ref<GPU_group>>> enabled_on_GPU_groups = CLASS.dyn("enabled_on_GPU_groups", setOf(ref(GPU_group.class)))
            .doc("The GPU groups that may run it.");
    Field<VGPU_type, VgpuTypeImplementation> implementation = CLASS.ro("implementation", enumOf(VgpuTypeImplementation.class))
            .doc("How it is made: passthrough, or by the vendor's driver.");
    Field<VGPU_type, String> identifier = CLASS.ro("identifier", STRING).doc("A key that names the type across hosts.");
    Field<VGPU_type, Boolean> experimental = CLASS.ro("experimental", BOOL).doc("Whether the type is experimental.");
    Field<VGPU_type, List<Ref<VGPU_type>>> compatible_types_in_vm = CLASS.dyn("compatible_types_in_vm", setOf(ref(VGPU_type.class)))
            .doc("The types a VM with one of these may have besides.");
}
