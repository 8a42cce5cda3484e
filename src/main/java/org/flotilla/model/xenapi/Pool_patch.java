package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.AfterApplyGuidance;

/** The XenAPI's class pool_patch. */
public interface Pool_patch {
    ApiClass<Pool_patch> CLASS = ApiClass.declare(Pool_patch.class, "pool_patch");

    Field<Pool_patch, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Pool_patch, String> name_label = CLASS.ro("name_label", STRING);
    Field<Pool_patch, String> name_description = CLASS.ro("name_description", STRING);
    Field<Pool_patch, String> version = CLASS.ro("version", STRING);
    Field<Pool_patch, Long> size = CLASS.dyn("size", INT);
    Field<Pool_patch, Boolean> pool_applied = CLASS.dyn("pool_applied", BOOL);
    Relation<Pool_patch, Host_patch> host_patches = CLASS.relation("host_patches", () -> Host_patch.pool_patch);
    Field<Pool_patch, List<AfterApplyGuidance>> after_apply_guidance = CLASS.dyn("after_apply_guidance", setOf(enumOf(AfterApplyGuidance.class)));
    Field<Pool_patch, Ref<Pool_update>> pool_update = CLASS.ro("pool_update", ref(Pool_update.class));
    Field<Pool_patch, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}
