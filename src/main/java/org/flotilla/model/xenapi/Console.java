package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;

/**
 * A way into a running VM: its display (rfb, over VNC) or its serial port (vt100), served by the host over HTTPS; for a
 * host's control domain, a login on the host (vt100, for pool-admin sessions).
 */
public interface Console {
    ApiClass<Console> CLASS = ApiClass.declare(Console.class, "console")
            .doc("A way into a running VM: its display (rfb, over VNC) or its serial port (vt100), served by the host over HTTPS; "
                    + "for a host's control domain, a login on the host (vt100, for pool-admin sessions).");

    Field<Console, String> uuid = CLASS.dyn("uuid", STRING).doc("The console's unique identifier, fixed for its whole life.");
    Field<Console, ConsoleProtocol> protocol = CLASS.dyn("protocol", enumOf(ConsoleProtocol.class))
            .doc("rfb for the VM's display (VNC), vt100 for its serial port (or, for a control domain, a login on the host).");
    Field<Console, String> location = CLASS.dyn("location", STRING)
            .doc("The URL the console is served at: https://<host address>/console?uuid=<console uuid> "
                    + "(a control domain's: ?ref=<console ref>, as XAPI locates dom0's).");
    Field<Console, Ref<VM>> VM = CLASS.dyn("VM", ref(VM.class)).doc("The VM the console belongs to.");
    Field<Console, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the console.");
}
