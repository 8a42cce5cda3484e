package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A pool_patch as applied on one host; Flotilla makes none. */
public interface Host_patch {
    ApiClass<Host_patch> CLASS = ApiClass.declare(Host_patch.class, "host_patch")
            .doc("A pool_patch as applied on one host; Flotilla makes none.");

    Field<Host_patch, String> uuid = CLASS.dyn("uuid", STRING).doc("The host patch's unique identifier, fixed for its whole life.");
    Field<Host_patch, String> name_label = CLASS.ro("name_label", STRING)
            .doc("A short name for people to know the host patch by; it need not be unique.");
    Field<Host_patch, String> name_description = CLASS.ro("name_description", STRING)
            .doc("A longer free-text description of the host patch.");
    Field<Host_patch, String> version = CLASS.ro("version", STRING).doc("The patch's version.");
    Field<Host_patch, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host the patch is applied on.");
    Field<Host_patch, Boolean> applied = CLASS.dyn("applied", BOOL).doc("Whether the patch is applied.");
    Field<Host_patch, Instant> timestamp_applied = CLASS.dyn("timestamp_applied", DATETIME).doc("When it was applied.");
    Field<Host_patch, Long> size = CLASS.dyn("size", INT).doc("The patch's size in bytes.");
    Field<Host_patch, Ref<Pool_patch>> pool_patch = CLASS.ro("pool_patch", ref(Pool_patch.class)).doc("The patch this applies.");
    Field<Host_patch, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the host patch.");
}
