package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration certificate_type. */
@Wire("certificate_type")
public enum CertificateType implements WireEnum {
    ca,
    host,
    host_internal
}
