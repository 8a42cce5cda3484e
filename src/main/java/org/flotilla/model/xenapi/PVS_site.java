package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;

/** A Citrix Provisioning Services site; Flotilla has no PVS acceleration and makes none. */
public interface PVS_site {
    ApiClass<PVS_site> CLASS = ApiClass.declare(PVS_site.class, "PVS_site")
            .doc("A Citrix Provisioning Services site; Flotilla has no PVS acceleration and makes none.");

    Field<PVS_site, String> uuid = CLASS.dyn("uuid", STRING).doc("The PVS site's unique identifier, fixed for its whole life.");
    Field<PVS_site, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the PVS site by; it need not be unique.");
    Field<PVS_site, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the PVS site.");
    Field<PVS_site, String> PVS_uuid = CLASS.ro("PVS_uuid", STRING).doc("The site's identifier in PVS itself.");
    Relation<PVS_site, PVS_cache_storage> cache_storage = CLASS.relation("cache_storage", () -> PVS_cache_storage.site)
            .doc("Where the site's proxies cache.");
    Relation<PVS_site, PVS_server> servers = CLASS.relation("servers", () -> PVS_server.site).doc("The PVS servers of the site.");
    Relation<PVS_site, PVS_proxy> proxies = CLASS.relation("proxies", () -> PVS_proxy.site).doc("The PVS proxies of the site.");
}
