package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.SrHealth;

/** A summary of an SR as a storage probe reports it; only a shape of value, no objects are stored. */
public interface Sr_stat {
    ApiClass<Sr_stat> CLASS = ApiClass.declare(Sr_stat.class, "sr_stat", Shape.NOT_STORED)
            .doc("A summary of an SR as a storage probe reports it; only a shape of value, no objects are stored.");

    Field<Sr_stat, String> name_label = CLASS.dyn("name_label", STRING).doc("The SR's name.");
    Field<Sr_stat, String> name_description = CLASS.dyn("name_description", STRING).doc("The SR's description.");
    Field<Sr_stat, Long> free_space = CLASS.dyn("free_space", INT).doc("The bytes free on the SR.");
    Field<Sr_stat, Long> total_space = CLASS.dyn("total_space", INT).doc("The SR's size in bytes.");
    Field<Sr_stat, Boolean> clustered = CLASS.dyn("clustered", BOOL).doc("Whether the SR needs a cluster stack.");
    Field<Sr_stat, SrHealth> health = CLASS.dyn("health", enumOf(SrHealth.class))
            .doc("Whether the SR is healthy, recovering, or unreachable.");
}
