package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** Operations on XenServer's LVM-based SRs; Flotilla has no such SRs. */
public interface LVHD {
    ApiClass<LVHD> CLASS = ApiClass.declare(LVHD.class, "LVHD", Shape.UNLISTED)
            .doc("Operations on XenServer's LVM-based SRs; Flotilla has no such SRs.");

    Field<LVHD, String> uuid = CLASS.dyn("uuid", STRING).doc("The LVHD SR's unique identifier, fixed for its whole life.");
}
