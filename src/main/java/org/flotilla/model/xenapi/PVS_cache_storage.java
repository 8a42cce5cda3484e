package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class PVS_cache_storage. */
public interface PVS_cache_storage {
    ApiClass<PVS_cache_storage> CLASS = ApiClass.declare(PVS_cache_storage.class, "PVS_cache_storage");

    Field<PVS_cache_storage, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PVS_cache_storage, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<PVS_cache_storage, Ref<SR>> SR = CLASS.ro("SR", ref(SR.class));
    Field<PVS_cache_storage, Ref<PVS_site>> site = CLASS.ro("site", ref(PVS_site.class));
    Field<PVS_cache_storage, Long> size = CLASS.ro("size", INT, 21474836480L);
    Field<PVS_cache_storage, Ref<VDI>> VDI = CLASS.dyn("VDI", ref(VDI.class));
}
