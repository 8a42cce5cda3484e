package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.AfterApplyGuidance;

/** A hotfix uploaded to the pool (the older form of pool_update); Flotilla updates through its packages and makes none. */
public interface Pool_patch {
    ApiClass<Pool_patch> CLASS = ApiClass.declare(Pool_patch.class, "pool_patch")
            .doc("A hotfix uploaded to the pool (the older form of pool_update); Flotilla updates through its packages and makes none.");

    Field<Pool_patch, String> uuid = CLASS.dyn("uuid", STRING).doc("The patch's unique identifier, fixed for its whole life.");
    Field<Pool_patch, String> name_label = CLASS.ro("name_label", STRING)
            .doc("A short name for people to know the patch by; it need not be unique.");
    Field<Pool_patch, String> name_description = CLASS.ro("name_description", STRING).doc("A longer free-text description of the patch.");
    Field<Pool_patch, String> version = CLASS.ro("version", STRING).doc("The patch's version.");
    Field<Pool_patch, Long> size = CLASS.dyn("size", INT).doc("The patch's size in bytes.");
    Field<Pool_patch, Boolean> pool_applied = CLASS.dyn("pool_applied", BOOL).doc("Whether the patch is applied on every host.");
    Relation<Pool_patch, Host_patch> host_patches = CLASS.relation("host_patches", () -> Host_patch.pool_patch)
            .doc("Where the patch is applied: one record per host.");
    Field<Pool_patch, List<AfterApplyGuidance>> after_apply_guidance = CLASS.dyn("after_apply_guidance", setOf(enumOf(AfterApplyGuidance.class)))
            .doc("What to do after applying it: restart a host, the toolstack, or VMs.");
    Field<Pool_patch, Ref<Pool_update>> pool_update = CLASS.ro("pool_update", ref(Pool_update.class))
            .doc("The update the patch stands for.");
    Field<Pool_patch, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the patch.");
}
