package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** Binary data stored with an object (a VM, host, SR, network or the pool); Flotilla stores none. */
public interface Blob {
    ApiClass<Blob> CLASS = ApiClass.declare(Blob.class, "blob")
            .doc("Binary data stored with an object (a VM, host, SR, network or the pool); Flotilla stores none.");

    Field<Blob, String> uuid = CLASS.dyn("uuid", STRING).doc("The blob's unique identifier, fixed for its whole life.");
    Field<Blob, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the blob by; it need not be unique.");
    Field<Blob, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the blob.");
    Field<Blob, Long> size = CLASS.dyn("size", INT).doc("The blob's size in bytes.");
    Field<Blob, Boolean> public_ = CLASS.rw("public", BOOL).doc("Whether the blob may be read without logging in.");
    Field<Blob, Instant> last_updated = CLASS.ro("last_updated", DATETIME).doc("When the blob was last written.");
    Field<Blob, String> mime_type = CLASS.ro("mime_type", STRING).doc("The blob's media type.");
}
