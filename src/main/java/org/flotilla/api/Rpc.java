package org.flotilla.api;

import java.util.List;

/**
 * The XenAPI as the wire codecs see it: a method name and its decoded parameters in, a value out or an
 * {@link org.flotilla.model.ApiError} thrown.
 *
 * <p>Parameters arrive as the codecs decode them, before any knowledge of the method: {@code String},
 * {@code Long} (any integer), {@code Double}, {@code Boolean}, {@code java.time.Instant},
 * {@code List<Object>} and {@code Map<String,Object>}. Results leave typed as {@link org.flotilla.model.Type}
 * describes; an {@code Integer} in a result is a 32-bit int that XML-RPC writes as {@code <i4>}.
 */
public interface Rpc {
    Object call(String method, List<Object> params);

    /** The same call, made by a network client at {@code clientAddress} (its IP), which logins are limited by. */
    default Object call(String method, List<Object> params, String clientAddress) { return call(method, params); }
}
