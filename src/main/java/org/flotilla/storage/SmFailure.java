package org.flotilla.storage;

import org.flotilla.model.ApiError;

/**
 * The SM's own failures, reported as XAPI reports a failing SM backend: SR_BACKEND_FAILURE [status, stdout,
 * stderr], the status being the code SM's XE_SR_ERRORCODES.xml gives the failure.
 */
enum SmFailure {
    INVALID_ARGUMENT(1),
    SR_SCAN(40),
    VDI_UNAVAILABLE(46),
    SR_UNAVAILABLE(47),
    FILE_SR_CREATE(61),
    CONFIG_LOCATION_MISSING(94);

    private final int code;

    SmFailure(int code) { this.code = code; }

    ApiError error(String detail) { return ApiError.of("SR_BACKEND_FAILURE", Integer.toString(code), "", detail); }
}
