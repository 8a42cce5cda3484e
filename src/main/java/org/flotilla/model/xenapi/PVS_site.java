package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;

/** The XenAPI's class PVS_site. */
public interface PVS_site {
    ApiClass<PVS_site> CLASS = ApiClass.declare(PVS_site.class, "PVS_site");

    Field<PVS_site, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PVS_site, String> name_label = CLASS.rw("name_label", STRING);
    Field<PVS_site, String> name_description = CLASS.rw("name_description", STRING);
    Field<PVS_site, String> PVS_uuid = CLASS.ro("PVS_uuid", STRING);
    Relation<PVS_site, PVS_cache_storage> cache_storage = CLASS.relation("cache_storage", () -> PVS_cache_storage.site);
    Relation<PVS_site, PVS_server> servers = CLASS.relation("servers", () -> PVS_server.site);
    Relation<PVS_site, PVS_proxy> proxies = CLASS.relation("proxies", () -> PVS_proxy.site);
}
