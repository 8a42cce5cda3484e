package org.flotilla.storage;

import org.flotilla.model.ApiError;

/**
 * The failures of XAPI's iSCSI SRs (SM's BaseISCSI.py and LVHDoISCSISR.py), as XAPI reports an SMAPIv1 backend's error
 * ({@link BackendFailure}). Xen Orchestra reads a probe's targets from the third parameter of SR_BACKEND_FAILURE_96 and
 * its LUNs from that of SR_BACKEND_FAILURE_107, and takes SR_BACKEND_FAILURE_141 for "no target there".
 */
enum IscsiFailure {
    SR_EXISTS(42, "The SR already exists"),
    SR_UNAVAILABLE(47, "The SR is not available"),
    ISCSI_LOGIN(68, "ISCSI login failed - check access settings for the initiator on the storage, if CHAP is used verify CHAP credentials"),
    ISCSI_DISCOVERY(83, "ISCSI discovery failed"),
    CONFIG_TARGET_MISSING(95, "The request is missing the target parameter"),
    CONFIG_TARGET_IQN_MISSING(96, "The request is missing or has an incorrect target IQN parameter"),
    CONFIG_SCSI_ID(107, "The SCSIid parameter is missing or incorrect"),
    ISCSI_TARGET(141, "Unable to connect to ISCSI service on target"),
    ISCSI_PORT(142, "Incorrect value for iSCSI port, must be a number between 1 and 65535");

    private final int code;
    private final String description;

    IscsiFailure(int code, String description) {
        this.code = code;
        this.description = description;
    }

    ApiError error() { return error(null, ""); }

    ApiError error(String opterr) { return error(opterr, ""); }

    ApiError error(String opterr, String stderr) { return BackendFailure.of(code, description, opterr, stderr); }
}
