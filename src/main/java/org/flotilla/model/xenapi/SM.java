package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class SM. */
public interface SM {
    ApiClass<SM> CLASS = ApiClass.declare(SM.class, "SM");

    Field<SM, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<SM, String> name_label = CLASS.dyn("name_label", STRING);
    Field<SM, String> name_description = CLASS.dyn("name_description", STRING);
    Field<SM, String> type = CLASS.dyn("type", STRING);
    Field<SM, String> vendor = CLASS.dyn("vendor", STRING);
    Field<SM, String> copyright = CLASS.dyn("copyright", STRING);
    Field<SM, String> version = CLASS.dyn("version", STRING);
    Field<SM, String> required_api_version = CLASS.dyn("required_api_version", STRING);
    Field<SM, Map<String, String>> configuration = CLASS.dyn("configuration", STRING_MAP);
    Field<SM, List<String>> capabilities = CLASS.dyn("capabilities", STRING_SET);
    Field<SM, Map<String, Long>> features = CLASS.dyn("features", mapOf(STRING, INT));
    Field<SM, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<SM, String> driver_filename = CLASS.dyn("driver_filename", STRING);
    Field<SM, List<String>> required_cluster_stack = CLASS.dyn("required_cluster_stack", STRING_SET);
}
