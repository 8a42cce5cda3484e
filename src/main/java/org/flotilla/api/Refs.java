package org.flotilla.api;

import java.util.UUID;

/** New object identities. Decided when a change is proposed, then carried in the operation. */
public final class Refs {
    private Refs() {}

    public static String newRef() { return "OpaqueRef:" + UUID.randomUUID(); }

    public static String newUuid() { return UUID.randomUUID().toString(); }

    public static boolean isNull(String ref) { return ref == null || ref.equals(org.flotilla.model.ClassDef.NULL_REF) || ref.isEmpty(); }
}
