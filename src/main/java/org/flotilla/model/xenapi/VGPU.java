package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class VGPU. */
public interface VGPU {
    ApiClass<VGPU> CLASS = ApiClass.declare(VGPU.class, "VGPU");

    Field<VGPU, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VGPU, Ref<VM>> VM = CLASS.dyn("VM", ref(VM.class));
    Field<VGPU, Ref<GPU_group>> GPU_group = CLASS.dyn("GPU_group", ref(GPU_group.class));
    Field<VGPU, String> device = CLASS.dyn("device", STRING, "0");
    Field<VGPU, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL);
    Field<VGPU, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VGPU, Ref<VGPU_type>> type = CLASS.dyn("type", ref(VGPU_type.class));
    Field<VGPU, Ref<PGPU>> resident_on = CLASS.dyn("resident_on", ref(PGPU.class));
    Field<VGPU, Ref<PGPU>> scheduled_to_be_resident_on = CLASS.dyn("scheduled_to_be_resident_on", ref(PGPU.class));
    Field<VGPU, Map<String, String>> compatibility_metadata = CLASS.dyn("compatibility_metadata", STRING_MAP);
    Field<VGPU, String> extra_args = CLASS.rw("extra_args", STRING);
    Field<VGPU, Ref<PCI>> PCI = CLASS.dyn("PCI", ref(PCI.class));
}
