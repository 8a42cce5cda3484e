package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.UpdateAfterApplyGuidance;

/** An update uploaded to the pool for its hosts; Flotilla updates through its packages and makes none. */
public interface Pool_update {
    ApiClass<Pool_update> CLASS = ApiClass.declare(Pool_update.class, "pool_update")
            .doc("An update uploaded to the pool for its hosts; Flotilla updates through its packages and makes none.");

    Field<Pool_update, String> uuid = CLASS.dyn("uuid", STRING).doc("The update's unique identifier, fixed for its whole life.");
    Field<Pool_update, String> name_label = CLASS.ro("name_label", STRING)
            .doc("A short name for people to know the update by; it need not be unique.");
    Field<Pool_update, String> name_description = CLASS.ro("name_description", STRING).doc("A longer free-text description of the update.");
    Field<Pool_update, String> version = CLASS.ro("version", STRING).doc("The update's version.");
    Field<Pool_update, Long> installation_size = CLASS.ro("installation_size", INT)
            .doc("The space the update needs once installed, in bytes.");
    Field<Pool_update, String> key = CLASS.ro("key", STRING).doc("The GPG key the update is signed with.");
    Field<Pool_update, List<UpdateAfterApplyGuidance>> after_apply_guidance = CLASS.ro("after_apply_guidance", setOf(enumOf(UpdateAfterApplyGuidance.class)))
            .doc("What to do after applying it: restart a host, the toolstack, or VMs.");
    Field<Pool_update, Ref<VDI>> vdi = CLASS.ro("vdi", ref(VDI.class)).doc("The disk the update was uploaded to.");
    Field<Pool_update, List<Ref<Host>>> hosts = CLASS.dyn("hosts", setOf(ref(Host.class))).doc("The hosts the update is applied on.");
    Field<Pool_update, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the update.");
    Field<Pool_update, Boolean> enforce_homogeneity = CLASS.ro("enforce_homogeneity", BOOL)
            .doc("Whether every host of the pool must apply the update.");
}
