package org.flotilla.model;

import java.util.List;

/**
 * A XenAPI failure: an error code and its parameters, exactly as the client receives them in
 * ErrorDescription. Thrown anywhere below the wire; the codecs turn it into the reply.
 */
public class ApiError extends RuntimeException {
    private final String code;
    private final List<String> params;

    public ApiError(String code, List<String> params) {
        super(code + " " + params, null, false, false);
        this.code = code;
        this.params = List.copyOf(params);
    }

    public static ApiError of(String code, String... params) { return new ApiError(code, List.of(params)); }

    public String code() { return code; }

    public List<String> params() { return params; }

    /** The ErrorDescription array: code first, then the parameters. */
    public List<String> description() {
        var all = new java.util.ArrayList<String>(params.size() + 1);
        all.add(code);
        all.addAll(params);
        return all;
    }

    public static ApiError handleInvalid(String cls, String ref) { return of("HANDLE_INVALID", cls, ref); }

    public static ApiError handleInvalid(Ref<?> ref) { return handleInvalid(ref.cls().name(), ref.value()); }

    public static ApiError internal(String message) { return of("INTERNAL_ERROR", message); }
}
