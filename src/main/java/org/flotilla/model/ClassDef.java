package org.flotilla.model;

import java.time.Instant;
import java.util.ArrayList;
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

    public static Builder of(String name, String doc) { return new Builder(name, doc); }

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

    public static final class Builder {
        private final String name;
        private final String doc;
        private final Map<String, FieldDef> fields = new LinkedHashMap<>();
        private final List<MessageDef> messages = new ArrayList<>();
        private boolean stored = true;
        private boolean persistent = true;
        private boolean listable = true;
        private boolean eventful = true;
        private boolean genericCreate = false;
        private boolean genericDestroy = false;

        private Builder(String name, String doc) {
            this.name = name;
            this.doc = doc;
            field("uuid", Type.STRING, Qualifier.DYNAMIC_RO, "", "Unique identifier");
        }

        /** A shape of value rather than a class of objects: no uuid, nothing stored, no derived messages. */
        public Builder notStored() { stored = false; fields.remove("uuid"); return this; }

        /** No get_all, get_all_records or get_all_records_where: objects are reached one by one. */
        public Builder unlisted() { listable = false; return this; }

        public Builder transientObjects() { persistent = false; return this; }

        /** Changes to these objects are no events: event.from and event.next never show them. */
        public Builder withoutEvents() { eventful = false; return this; }

        /** create(record) stores the record and destroy(self) removes the object: no side effects. */
        public Builder plainLifecycle() { genericCreate = true; genericDestroy = true; return this; }

        public Builder plainDestroy() { genericDestroy = true; return this; }

        public Builder field(String fieldName, Type type, Qualifier q, Object def, String fieldDoc) {
            fields.put(fieldName, new FieldDef(fieldName, type, q, def == null ? zero(type) : def, null, fieldDoc));
            return this;
        }

        /** Read-write field. */
        public Builder rw(String fieldName, Type type) { return field(fieldName, type, Qualifier.RW, null, ""); }

        public Builder rw(String fieldName, Type type, Object def) { return field(fieldName, type, Qualifier.RW, def, ""); }

        /** Read-only field given at creation. */
        public Builder ro(String fieldName, Type type) { return field(fieldName, type, Qualifier.STATIC_RO, null, ""); }

        public Builder ro(String fieldName, Type type, Object def) { return field(fieldName, type, Qualifier.STATIC_RO, def, ""); }

        /** Read-only field the server maintains. */
        public Builder dyn(String fieldName, Type type) { return field(fieldName, type, Qualifier.DYNAMIC_RO, null, ""); }

        public Builder dyn(String fieldName, Type type, Object def) { return field(fieldName, type, Qualifier.DYNAMIC_RO, def, ""); }

        /** A derived set: every object of {@code otherClass} whose {@code otherField} refers here. */
        public Builder relation(String fieldName, String otherClass, String otherField) {
            fields.put(fieldName, new FieldDef(fieldName, Type.setOf(Type.ref(otherClass)), Qualifier.DYNAMIC_RO,
                    List.of(), otherClass + "." + otherField, ""));
            return this;
        }

        public Builder message(MessageBuilder m) {
            messages.add(m.build(name));
            return this;
        }

        public ClassDef build() {
            return new ClassDef(name, doc, fields, messages, stored, persistent, listable, eventful, genericCreate, genericDestroy);
        }
    }
}
