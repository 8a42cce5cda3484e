package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class blob. */
public interface Blob {
    ApiClass<Blob> CLASS = ApiClass.declare(Blob.class, "blob");

    Field<Blob, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Blob, String> name_label = CLASS.rw("name_label", STRING);
    Field<Blob, String> name_description = CLASS.rw("name_description", STRING);
    Field<Blob, Long> size = CLASS.dyn("size", INT);
    Field<Blob, Boolean> public_ = CLASS.rw("public", BOOL);
    Field<Blob, Instant> last_updated = CLASS.ro("last_updated", DATETIME);
    Field<Blob, String> mime_type = CLASS.ro("mime_type", STRING);
}
