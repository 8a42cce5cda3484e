package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A virtual GPU of a VM, backed by a physical GPU of a host; Flotilla passes no GPUs through. */
public interface VGPU {
    ApiClass<VGPU> CLASS = ApiClass.declare(VGPU.class, "VGPU")
            .doc("A virtual GPU of a VM, backed by a physical GPU of a host; Flotilla passes no GPUs through.");

    Field<VGPU, String> uuid = CLASS.dyn("uuid", STRING).doc("The virtual GPU's unique identifier, fixed for its whole life.");
    Field<VGPU, Ref<VM>> VM = CLASS.dyn("VM", ref(VM.class)).doc("The VM the GPU belongs to.");
    Field<VGPU, Ref<GPU_group>> GPU_group = CLASS.dyn("GPU_group", ref(GPU_group.class))
            .doc("The group of physical GPUs it is taken from.");
    Field<VGPU, String> device = CLASS.dyn("device", STRING, "0").doc("The GPU's number on the VM.");
    Field<VGPU, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL).doc("Whether the GPU is attached to the running VM.");
    Field<VGPU, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the virtual GPU.");
    Field<VGPU, Ref<VGPU_type>> type = CLASS.dyn("type", ref(VGPU_type.class)).doc("The kind of virtual GPU.");
    Field<VGPU, Ref<PGPU>> resident_on = CLASS.dyn("resident_on", ref(PGPU.class)).doc("The physical GPU it runs on.");
    Field<VGPU, Ref<PGPU>> scheduled_to_be_resident_on = CLASS.dyn("scheduled_to_be_resident_on", ref(PGPU.class))
            .doc("The physical GPU it is about to run on.");
    Field<VGPU, Map<String, String>> compatibility_metadata = CLASS.dyn("compatibility_metadata", STRING_MAP)
            .doc("Vendor data that decides which physical GPUs it may move to.");
    Field<VGPU, String> extra_args = CLASS.rw("extra_args", STRING).doc("Extra arguments for the GPU's device model.");
    Field<VGPU, Ref<PCI>> PCI = CLASS.dyn("PCI", ref(PCI.class)).doc("The PCI device (a virtual function) the GPU uses.");
}
