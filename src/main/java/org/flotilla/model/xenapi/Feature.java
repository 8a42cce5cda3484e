package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** An optional feature of a host and whether it is on; Flotilla lists none. */
public interface Feature {
    ApiClass<Feature> CLASS = ApiClass.declare(Feature.class, "Feature")
            .doc("An optional feature of a host and whether it is on; Flotilla lists none.");

    Field<Feature, String> uuid = CLASS.dyn("uuid", STRING).doc("The feature's unique identifier, fixed for its whole life.");
    Field<Feature, String> name_label = CLASS.ro("name_label", STRING)
            .doc("A short name for people to know the feature by; it need not be unique.");
    Field<Feature, String> name_description = CLASS.ro("name_description", STRING).doc("A longer free-text description of the feature.");
    Field<Feature, Boolean> enabled = CLASS.dyn("enabled", BOOL).doc("Whether the feature is on.");
    Field<Feature, Boolean> experimental = CLASS.ro("experimental", BOOL).doc("Whether the feature is experimental.");
    Field<Feature, String> version = CLASS.ro("version", STRING, "1.0").doc("The feature's version.");
    Field<Feature, Ref<Host>> host = CLASS.dyn("host", ref(Host.class)).doc("The host that has the feature.");
}
