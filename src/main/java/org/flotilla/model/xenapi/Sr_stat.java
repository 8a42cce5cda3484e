package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.SrHealth;

/** The XenAPI's class sr_stat. */
public interface Sr_stat {
    ApiClass<Sr_stat> CLASS = ApiClass.declare(Sr_stat.class, "sr_stat", Shape.NOT_STORED);

    Field<Sr_stat, String> name_label = CLASS.dyn("name_label", STRING);
    Field<Sr_stat, String> name_description = CLASS.dyn("name_description", STRING);
    Field<Sr_stat, Long> free_space = CLASS.dyn("free_space", INT);
    Field<Sr_stat, Long> total_space = CLASS.dyn("total_space", INT);
    Field<Sr_stat, Boolean> clustered = CLASS.dyn("clustered", BOOL);
    Field<Sr_stat, SrHealth> health = CLASS.dyn("health", enumOf(SrHealth.class));
}
