package org.flotilla.storage;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests of an NFS SR on a real NFSv3 server (ganesha in a namespace of the test's, {@link NfsServer}), driven
 * through the XenAPI of a node in this JVM that reaches it only in userspace: libnfs for the daemon, qemu-img's and
 * QEMU's nfs drivers. What the server's own file system holds is checked from its export directory.
 */
abstract class OnAnNfsSr extends OnALocalSr {
    NfsServer server;

    @BeforeEach
    void serve() throws Exception { server = NfsServer.onItsOwnNetwork(); }

    /** Before the node closes (OnALocalSr): its QEMUs, then the server. */
    @AfterEach
    void stopServer() {
        closeNodeAndItsGuests(server::close);
    }

    Map<String, String> config() { return Map.of("server", server.address(), "serverpath", NfsServer.EXPORT); }

    String createSr() {
        return (String) call("SR.create", session, node.hostRef(), config(), 0L, "on nfs", "", "nfs", "user", true, Map.of());
    }

    /** The VDI's image as the server's file system has it. */
    Path image(String srUuid, String vdi) { return server.exportDir().resolve(srUuid).resolve(call("VDI.get_location", session, vdi) + ".qcow2"); }
}
