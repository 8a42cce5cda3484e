package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** A storage driver of this host, one for each SR type it offers: file (qcow2 images) and iso. */
public interface SM {
    ApiClass<SM> CLASS = ApiClass.declare(SM.class, "SM")
            .doc("A storage driver of this host, one for each SR type it offers: file (qcow2 images) and iso.");

    Field<SM, String> uuid = CLASS.dyn("uuid", STRING).doc("The storage driver's unique identifier, fixed for its whole life.");
    Field<SM, String> name_label = CLASS.dyn("name_label", STRING).doc("The driver's name.");
    Field<SM, String> name_description = CLASS.dyn("name_description", STRING).doc("What the driver does.");
    Field<SM, String> type = CLASS.dyn("type", STRING).doc("The SR type the driver serves, as SR.create takes it: file or iso.");
    Field<SM, String> vendor = CLASS.dyn("vendor", STRING).doc("Who made the driver.");
    Field<SM, String> copyright = CLASS.dyn("copyright", STRING).doc("The driver's copyright notice.");
    Field<SM, String> version = CLASS.dyn("version", STRING).doc("The driver's version.");
    Field<SM, String> required_api_version = CLASS.dyn("required_api_version", STRING).doc("The storage API version the driver needs.");
    Field<SM, Map<String, String>> configuration = CLASS.dyn("configuration", STRING_MAP)
            .doc("The device_config keys the driver takes, each with what it means.");
    Field<SM, List<String>> capabilities = CLASS.dyn("capabilities", STRING_SET)
            .doc("What the driver can do, as XAPI names it (SR_SCAN, VDI_CREATE, ...); the older form of features.");
    Field<SM, Map<String, Long>> features = CLASS.dyn("features", mapOf(STRING, INT))
            .doc("What the driver can do, each with the version of that feature.");
    Field<SM, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the storage driver.");
    Field<SM, String> driver_filename = CLASS.dyn("driver_filename", STRING).doc("The class that implements the driver.");
    Field<SM, List<String>> required_cluster_stack = CLASS.dyn("required_cluster_stack", STRING_SET)
            .doc("The cluster stacks the driver needs; none.");
}
