package org.flotilla.cli;

import java.util.HashMap;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;

/**
 * Turns references into the uuids xe shows in their place. XAPI's CLI reads its in-memory ref index; a
 * client asks the server, once per reference.
 */
final class RefUuids {
    /** What records.ml prints for a reference it cannot find, the null reference included. */
    static final String NOT_IN_DATABASE = "<not in database>";

    private final XenApiSession api;
    private final Map<String, String> known = new HashMap<>();

    RefUuids(XenApiSession api) { this.api = api; }

    /** Records already fetched tell their own uuids; no need to ask again. */
    void learn(String ref, Map<String, Object> record) {
        if (record.get("uuid") instanceof String uuid) known.put(ref, uuid);
    }

    String uuidOf(String className, String ref) {
        if (ref == null || ref.isEmpty() || ref.equals(ClassDef.NULL_REF)) return NOT_IN_DATABASE;
        return known.computeIfAbsent(ref, r -> {
            try {
                return (String) api.call(className + ".get_uuid", r);
            } catch (ApiError e) {
                return NOT_IN_DATABASE;
            }
        });
    }
}
