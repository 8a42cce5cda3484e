package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.PvsProxyStatus;

/** The XenAPI's class PVS_proxy. */
public interface PVS_proxy {
    ApiClass<PVS_proxy> CLASS = ApiClass.declare(PVS_proxy.class, "PVS_proxy");

    Field<PVS_proxy, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PVS_proxy, Ref<PVS_site>> site = CLASS.ro("site", ref(PVS_site.class));
    Field<PVS_proxy, Ref<VIF>> VIF = CLASS.ro("VIF", ref(VIF.class));
    Field<PVS_proxy, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL);
    Field<PVS_proxy, PvsProxyStatus> status = CLASS.dyn("status", enumOf(PvsProxyStatus.class));
}
