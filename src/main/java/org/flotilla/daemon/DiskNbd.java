package org.flotilla.daemon;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.flotilla.server.ApiServerConfig;
import org.flotilla.server.HostCertificate;
import org.flotilla.storage.NbdExports;
import org.flotilla.storage.NbdServer;

/** Starts the host's NBD server (XAPI's xapi-nbd) with the API's certificate, on the API's address. */
final class DiskNbd {
    private static final System.Logger LOG = System.getLogger(DiskNbd.class.getName());

    private DiskNbd() {}

    /**
     * On XAPI's port 10809, or on a free port when the API itself has one (tests: several daemons on one machine); null,
     * with a warning, if it cannot listen: VDI.get_nbd_info then lists nothing, as XAPI's does without an NBD network.
     */
    static NbdServer start(Node node, HostCertificate cert, String hostname, ApiServerConfig config) {
        try {
            var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(cert.keyStore(), cert.keyStorePassword().toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), null, null);
            InetAddress bind = config.bindAddress() == null ? null : InetAddress.getByName(config.bindAddress());
            NbdExports exports = node.storage().nbdExports();
            NbdServer server = NbdServer.start(bind, config.httpsPort() == 0 ? 0 : NbdServer.PORT, tls, exports, node.storage());
            exports.serving(new NbdExports.Served(server.port(), pem(cert), hostname, node.sessions()::use));
            return server;
        } catch (IOException | GeneralSecurityException e) {
            LOG.log(Level.WARNING, "no NBD server: " + e.getMessage());
            return null;
        }
    }

    private static String pem(HostCertificate cert) throws CertificateEncodingException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
