package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.CertificateType;

/** A TLS certificate installed on a host; Flotilla keeps its own in xapi-ssl.pem and makes no records. */
public interface Certificate {
    ApiClass<Certificate> CLASS = ApiClass.declare(Certificate.class, "Certificate")
            .doc("A TLS certificate installed on a host; Flotilla keeps its own in xapi-ssl.pem and makes no records.");

    Field<Certificate, String> uuid = CLASS.dyn("uuid", STRING).doc("The certificate's unique identifier, fixed for its whole life.");
    Field<Certificate, String> name = CLASS.dyn("name", STRING).doc("The certificate's name, for a CA certificate.");
    Field<Certificate, CertificateType> type = CLASS.dyn("type", enumOf(CertificateType.class), CertificateType.host)
            .doc("What the certificate is for: ca, host or host_internal.");
    Field<Certificate, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host it is installed on.");
    Field<Certificate, Instant> not_before = CLASS.ro("not_before", DATETIME).doc("When it becomes valid.");
    Field<Certificate, Instant> not_after = CLASS.ro("not_after", DATETIME).doc("When it stops being valid.");
    Field<Certificate, String> fingerprint = CLASS.ro("fingerprint", STRING).doc("Its fingerprint (SHA-256).");
}
