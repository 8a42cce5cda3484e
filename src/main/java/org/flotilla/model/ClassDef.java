package org.flotilla.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A class of the XenAPI: its fields and the messages that need code. The plain messages (get_record,
 * get_&lt;field&gt;, set_&lt;field&gt;, create, destroy, ...) are derived by {@link Model}.
 *
 * @param stored      whether objects of the class are kept in the database at all (event and a few
 *                    others are only shapes of values)
 * @param persistent  whether objects survive a restart (sessions and tasks do not, as in XAPI)
 * @param listable    whether clients may list every object (not so for sessions: one sees only its own)
 * @param eventful    whether changes to objects of the class are events (not for sessions, users and secrets: XAPI's
 *                    gen_events=false, since an event would hand their references or values to every session)
 * @param genericCreate whether create(record) just stores the record (else a handler implements it)
 * @param genericDestroy whether destroy(self) just removes the object (else a handler implements it)
 */
public record ClassDef(String name, String doc, Map<String, FieldDef> fields, List<MessageDef> messages,
                       boolean stored, boolean persistent, boolean listable, boolean eventful, boolean genericCreate,
                       boolean genericDestroy) {

    public static final String NULL_REF = "OpaqueRef:NULL";

    public ClassDef {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        messages = List.copyOf(messages);
    }

    /** The lowercase name used in event classes and subscriptions. */
    public String eventName() { return name.toLowerCase(); }

    public FieldDef field(String fieldName) { return fields.get(fieldName); }

    public boolean hasField(String fieldName) { return fields.containsKey(fieldName); }


    /** The value a field takes when nobody gave one. */
    public static Object zero(Type type) {
        return switch (type) {
            case Type.Str s -> "";
            case Type.Int i -> 0L;
            case Type.Float f -> 0.0;
            case Type.Bool b -> false;
            case Type.DateTime d -> Instant.EPOCH;
            case Type.Enum e -> e.values().getFirst();
            case Type.Ref r -> NULL_REF;
            case Type.Set s -> List.of();
            case Type.Map m -> Map.of();
            case Type.Record r -> Map.of();
            case Type.Any a -> "";
            case Type.Void v -> "";
        };
    }
}
