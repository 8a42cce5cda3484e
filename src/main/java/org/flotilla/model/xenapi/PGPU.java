package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.PgpuDom0Access;

/** The XenAPI's class PGPU. */
public interface PGPU {
    ApiClass<PGPU> CLASS = ApiClass.declare(PGPU.class, "PGPU");

    Field<PGPU, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PGPU, Ref<PCI>> PCI = CLASS.ro("PCI", ref(PCI.class));
    Field<PGPU, Ref<GPU_group>> GPU_group = CLASS.ro("GPU_group", ref(GPU_group.class));
    Field<PGPU, Ref<Host>> host = CLASS.dyn("host", ref(Host.class));
    Field<PGPU, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<PGPU, List<Ref<VGPU_type>>> supported_VGPU_types = CLASS.dyn("supported_VGPU_types", setOf(ref(VGPU_type.class)));
    Field<PGPU, List<Ref<VGPU_type>>> enabled_VGPU_types = CLASS.dyn("enabled_VGPU_types", setOf(ref(VGPU_type.class)));
    Relation<PGPU, VGPU> resident_VGPUs = CLASS.relation("resident_VGPUs", () -> VGPU.resident_on);
    Field<PGPU, Map<Ref<VGPU_type>, Long>> supported_VGPU_max_capacities = CLASS.dyn("supported_VGPU_max_capacities", mapOf(ref(VGPU_type.class), INT));
    Field<PGPU, PgpuDom0Access> dom0_access = CLASS.dyn("dom0_access", enumOf(PgpuDom0Access.class));
    Field<PGPU, Boolean> is_system_display_device = CLASS.dyn("is_system_display_device", BOOL);
    Field<PGPU, Map<String, String>> compatibility_metadata = CLASS.dyn("compatibility_metadata", STRING_MAP);
}
