package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** The XenAPI's class data_source. */
public interface Data_source {
    ApiClass<Data_source> CLASS = ApiClass.declare(Data_source.class, "data_source", Shape.NOT_STORED);

    Field<Data_source, String> name_label = CLASS.dyn("name_label", STRING);
    Field<Data_source, String> name_description = CLASS.dyn("name_description", STRING);
    Field<Data_source, Boolean> enabled = CLASS.dyn("enabled", BOOL);
    Field<Data_source, Boolean> standard = CLASS.dyn("standard", BOOL);
    Field<Data_source, String> units = CLASS.dyn("units", STRING);
    Field<Data_source, Double> min = CLASS.dyn("min", FLOAT);
    Field<Data_source, Double> max = CLASS.dyn("max", FLOAT);
    Field<Data_source, Double> value = CLASS.dyn("value", FLOAT);
}
