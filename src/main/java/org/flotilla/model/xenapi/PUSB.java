package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class PUSB. */
public interface PUSB {
    ApiClass<PUSB> CLASS = ApiClass.declare(PUSB.class, "PUSB");

    Field<PUSB, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PUSB, Ref<USB_group>> USB_group = CLASS.ro("USB_group", ref(USB_group.class));
    Field<PUSB, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<PUSB, String> path = CLASS.ro("path", STRING);
    Field<PUSB, String> vendor_id = CLASS.ro("vendor_id", STRING);
    Field<PUSB, String> vendor_desc = CLASS.ro("vendor_desc", STRING);
    Field<PUSB, String> product_id = CLASS.ro("product_id", STRING);
    Field<PUSB, String> product_desc = CLASS.ro("product_desc", STRING);
    Field<PUSB, String> serial = CLASS.ro("serial", STRING);
    Field<PUSB, String> version = CLASS.ro("version", STRING);
    Field<PUSB, String> description = CLASS.ro("description", STRING);
    Field<PUSB, Boolean> passthrough_enabled = CLASS.dyn("passthrough_enabled", BOOL);
    Field<PUSB, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<PUSB, Double> speed = CLASS.ro("speed", FLOAT, -1.0);
}
