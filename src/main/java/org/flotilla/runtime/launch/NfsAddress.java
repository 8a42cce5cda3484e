package org.flotilla.runtime.launch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.flotilla.model.ApiError;
import org.flotilla.storage.IscsiLun;
import org.flotilla.storage.NfsDir;
import org.flotilla.storage.SrStore;

/** An NFS SR's server (or an iSCSI SR's portal) as the jailed QEMU must be given it: a numeric address, since its root has no /etc to resolve a name with. */
public final class NfsAddress {
    private NfsAddress() {}

    public static SrStore numeric(SrStore store) {
        if (store instanceof IscsiLun lun) return lun.numeric();
        if (!(store instanceof NfsDir n)) return store;
        try {
            return new NfsDir(InetAddress.getByName(n.server()).getHostAddress(), n.export(), n.dir());
        } catch (UnknownHostException e) {
            throw ApiError.of("SR_BACKEND_FAILURE_140", "", "Incorrect DNS name, unable to resolve. [opterr=" + n.server() + "]", "");
        }
    }
}
