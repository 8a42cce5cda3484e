package org.flotilla.api;

import java.util.UUID;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Ref;

/** New object identities. Decided when a change is proposed, then carried in the operation. */
public final class Refs {
    private Refs() {}

    public static String newRef() { return "OpaqueRef:" + UUID.randomUUID(); }

    /** A new reference to an object of {@code cls}. */
    public static <C> Ref<C> newRef(ApiClass<C> cls) { return cls.ref(newRef()); }

    public static String newUuid() { return UUID.randomUUID().toString(); }

    public static boolean isNull(String ref) { return ref == null || ref.equals(org.flotilla.model.ClassDef.NULL_REF) || ref.isEmpty(); }
}
