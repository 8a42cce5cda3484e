package org.flotilla.wire;

/**
 * A body that is not a well-formed call or reply of the protocol at hand. XAPI answers such a request
 * with an HTTP error rather than a XenAPI error, because there is no call to reply to.
 */
public final class WireFormatException extends RuntimeException {
    public WireFormatException(String message) { super(message); }

    public WireFormatException(String message, Throwable cause) { super(message, cause); }
}
