package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class Feature. */
public interface Feature {
    ApiClass<Feature> CLASS = ApiClass.declare(Feature.class, "Feature");

    Field<Feature, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Feature, String> name_label = CLASS.ro("name_label", STRING);
    Field<Feature, String> name_description = CLASS.ro("name_description", STRING);
    Field<Feature, Boolean> enabled = CLASS.dyn("enabled", BOOL);
    Field<Feature, Boolean> experimental = CLASS.ro("experimental", BOOL);
    Field<Feature, String> version = CLASS.ro("version", STRING, "1.0");
    Field<Feature, Ref<Host>> host = CLASS.dyn("host", ref(Host.class));
}
