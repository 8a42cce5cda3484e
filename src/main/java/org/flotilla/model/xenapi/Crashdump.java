package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A record of a VM's crash dump kept in a VDI; Flotilla writes core dumps of crashed guests to files instead. */
public interface Crashdump {
    ApiClass<Crashdump> CLASS = ApiClass.declare(Crashdump.class, "crashdump")
            .doc("A record of a VM's crash dump kept in a VDI; Flotilla writes core dumps of crashed guests to files instead.");

    Field<Crashdump, String> uuid = CLASS.dyn("uuid", STRING).doc("The crash dump's unique identifier, fixed for its whole life.");
    Field<Crashdump, Ref<VM>> VM = CLASS.ro("VM", ref(VM.class)).doc("The VM that crashed.");
    Field<Crashdump, Ref<VDI>> VDI = CLASS.ro("VDI", ref(VDI.class)).doc("The VDI that holds the dump.");
    Field<Crashdump, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the crash dump.");
}
