package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.UpdateAfterApplyGuidance;

/** The XenAPI's class pool_update. */
public interface Pool_update {
    ApiClass<Pool_update> CLASS = ApiClass.declare(Pool_update.class, "pool_update");

    Field<Pool_update, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Pool_update, String> name_label = CLASS.ro("name_label", STRING);
    Field<Pool_update, String> name_description = CLASS.ro("name_description", STRING);
    Field<Pool_update, String> version = CLASS.ro("version", STRING);
    Field<Pool_update, Long> installation_size = CLASS.ro("installation_size", INT);
    Field<Pool_update, String> key = CLASS.ro("key", STRING);
    Field<Pool_update, List<UpdateAfterApplyGuidance>> after_apply_guidance = CLASS.ro("after_apply_guidance", setOf(enumOf(UpdateAfterApplyGuidance.class)));
    Field<Pool_update, Ref<VDI>> vdi = CLASS.ro("vdi", ref(VDI.class));
    Field<Pool_update, List<Ref<Host>>> hosts = CLASS.dyn("hosts", setOf(ref(Host.class)));
    Field<Pool_update, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Pool_update, Boolean> enforce_homogeneity = CLASS.ro("enforce_homogeneity", BOOL);
}
