package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** The XenAPI's class LVHD. */
public interface LVHD {
    ApiClass<LVHD> CLASS = ApiClass.declare(LVHD.class, "LVHD", Shape.UNLISTED);

    Field<LVHD, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
}
