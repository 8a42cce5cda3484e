package org.flotilla.cli;

import org.flotilla.api.Coerce;
import org.flotilla.model.DataType;
import org.flotilla.model.xenapi.XenApi;

/** Values between their Java types and the wire, for the commands that name classes and fields by their declarations. */
final class WireValues {
    private static final Coerce COERCE = new Coerce(XenApi.model());

    private WireValues() {}

    /** A value as the server sent it (integers as strings over XML-RPC, …) read as {@code type}; null if it is no such value. */
    static <T> T read(DataType<T> type, Object wire) {
        if (wire == null) return null;
        try {
            return type.decode(COERCE.to(type.type(), wire));
        } catch (Coerce.Mismatch | IllegalArgumentException e) {
            return null;
        }
    }

    /** A Java value as the wire carries it. */
    @SuppressWarnings("unchecked")
    static <T> Object write(DataType<T> type, Object value) { return value == null ? null : type.encode((T) value); }
}
