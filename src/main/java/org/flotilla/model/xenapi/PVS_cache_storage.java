package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** Storage a host gives a PVS site for caching; Flotilla makes none. */
public interface PVS_cache_storage {
    ApiClass<PVS_cache_storage> CLASS = ApiClass.declare(PVS_cache_storage.class, "PVS_cache_storage")
            .doc("Storage a host gives a PVS site for caching; Flotilla makes none.");

    Field<PVS_cache_storage, String> uuid = CLASS.dyn("uuid", STRING).doc("The PVS cache's unique identifier, fixed for its whole life.");
    Field<PVS_cache_storage, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host the cache is on.");
    Field<PVS_cache_storage, Ref<SR>> SR = CLASS.ro("SR", ref(SR.class)).doc("The SR the cache is in.");
    Field<PVS_cache_storage, Ref<PVS_site>> site = CLASS.ro("site", ref(PVS_site.class)).doc("The PVS site it caches for.");
    Field<PVS_cache_storage, Long> size = CLASS.ro("size", INT, 21474836480L).doc("The cache's size in bytes.");
    Field<PVS_cache_storage, Ref<VDI>> VDI = CLASS.dyn("VDI", ref(VDI.class)).doc("The disk that holds the cache.");
}
