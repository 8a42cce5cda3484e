package org.flotilla.storage;

import org.flotilla.model.ApiError;

/**
 * An SMAPIv1 backend's error as XAPI reports it: SR_BACKEND_FAILURE_&lt;code&gt; ["", description [opterr=detail],
 * stderr], code and description from SM's XE_SR_ERRORCODES.xml.
 */
final class BackendFailure {
    private BackendFailure() {}

    static ApiError of(int code, String description, String opterr, String stderr) {
        String reason = opterr == null ? description : description + " [opterr=" + opterr + "]";
        return ApiError.of("SR_BACKEND_FAILURE_" + code, "", reason, stderr);
    }
}
