package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** The XenAPI's class vdi_nbd_server_info. */
public interface Vdi_nbd_server_info {
    ApiClass<Vdi_nbd_server_info> CLASS = ApiClass.declare(Vdi_nbd_server_info.class, "vdi_nbd_server_info", Shape.NOT_STORED);

    Field<Vdi_nbd_server_info, String> exportname = CLASS.dyn("exportname", STRING);
    Field<Vdi_nbd_server_info, String> address = CLASS.dyn("address", STRING);
    Field<Vdi_nbd_server_info, Long> port = CLASS.dyn("port", INT);
    Field<Vdi_nbd_server_info, String> cert = CLASS.dyn("cert", STRING);
    Field<Vdi_nbd_server_info, String> subject = CLASS.dyn("subject", STRING);
}
