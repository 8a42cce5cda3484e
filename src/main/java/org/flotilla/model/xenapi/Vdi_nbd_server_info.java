package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** Where a disk can be read over NBD (network block device); served by the host's NBD server (TLS, port 10809) while the session in the export name lives. */
public interface Vdi_nbd_server_info {
    ApiClass<Vdi_nbd_server_info> CLASS = ApiClass.declare(Vdi_nbd_server_info.class, "vdi_nbd_server_info", Shape.NOT_STORED)
            .doc("Where a disk can be read over NBD (network block device); served by the host's NBD server (TLS, port 10809) while the session in the export name lives.");

    Field<Vdi_nbd_server_info, String> exportname = CLASS.dyn("exportname", STRING).doc("The export name to ask the server for.");
    Field<Vdi_nbd_server_info, String> address = CLASS.dyn("address", STRING).doc("The server's address.");
    Field<Vdi_nbd_server_info, Long> port = CLASS.dyn("port", INT).doc("The server's TCP port.");
    Field<Vdi_nbd_server_info, String> cert = CLASS.dyn("cert", STRING).doc("The server's TLS certificate (PEM).");
    Field<Vdi_nbd_server_info, String> subject = CLASS.dyn("subject", STRING).doc("The name the certificate is for.");
}
