package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.CertificateType;

/** The XenAPI's class Certificate. */
public interface Certificate {
    ApiClass<Certificate> CLASS = ApiClass.declare(Certificate.class, "Certificate");

    Field<Certificate, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Certificate, String> name = CLASS.dyn("name", STRING);
    Field<Certificate, CertificateType> type = CLASS.dyn("type", enumOf(CertificateType.class), CertificateType.host);
    Field<Certificate, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<Certificate, Instant> not_before = CLASS.ro("not_before", DATETIME);
    Field<Certificate, Instant> not_after = CLASS.ro("not_after", DATETIME);
    Field<Certificate, String> fingerprint = CLASS.ro("fingerprint", STRING);
}
