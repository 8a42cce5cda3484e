package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.PvsProxyStatus;

/** A Citrix Provisioning Services proxy on a VIF; Flotilla makes none. */
public interface PVS_proxy {
    ApiClass<PVS_proxy> CLASS = ApiClass.declare(PVS_proxy.class, "PVS_proxy")
            .doc("A Citrix Provisioning Services proxy on a VIF; Flotilla makes none.");

    Field<PVS_proxy, String> uuid = CLASS.dyn("uuid", STRING).doc("The PVS proxy's unique identifier, fixed for its whole life.");
    Field<PVS_proxy, Ref<PVS_site>> site = CLASS.ro("site", ref(PVS_site.class)).doc("The PVS site of the proxy.");
    Field<PVS_proxy, Ref<VIF>> VIF = CLASS.ro("VIF", ref(VIF.class)).doc("The VIF whose traffic it caches.");
    Field<PVS_proxy, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL).doc("Whether the proxy is active.");
    Field<PVS_proxy, PvsProxyStatus> status = CLASS.dyn("status", enumOf(PvsProxyStatus.class))
            .doc("What the proxy is doing: stopped, initialised, caching, and so on.");
}
