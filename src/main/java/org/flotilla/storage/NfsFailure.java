package org.flotilla.storage;

import org.flotilla.model.ApiError;

/**
 * The failures of XAPI's NFS SR (SM's NFSSR.py and nfs.py), as XAPI reports an SMAPIv1 backend's error:
 * SR_BACKEND_FAILURE_&lt;code&gt; ["", description [opterr=detail], stderr], code and description from SM's
 * XE_SR_ERRORCODES.xml. Clients tell them apart by code (Xen Orchestra reads the exports of a probe without a
 * serverpath from the third parameter of SR_BACKEND_FAILURE_101).
 */
enum NfsFailure {
    SR_EXISTS(42, "The SR already exists"),
    NFS_VERSION(72, "Required NFS server version unsupported"),
    NFS_MOUNT(73, "NFS mount error"),
    NFS_DELETE(76, "Failed to remove NFS mount point"),
    NFS_CREATE(88, "NFS SR creation error"),
    CONFIG_SERVER_PATH_MISSING(101, "The request is missing the serverpath parameter"),
    CONFIG_SERVER_MISSING(102, "The request is missing the server parameter"),
    NFS_TARGET(108, "Unable to detect an NFS service on this target."),
    SHARED_FILE_SYSTEM_NO_WRITE(461, "The file system for SR cannot be written to.");

    private final int code;
    private final String description;

    NfsFailure(int code, String description) {
        this.code = code;
        this.description = description;
    }

    ApiError error() { return error(null, ""); }

    ApiError error(String opterr) { return error(opterr, ""); }

    ApiError error(String opterr, String stderr) {
        return BackendFailure.of(code, description, opterr, stderr);
    }
}
