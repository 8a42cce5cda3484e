package org.flotilla.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;

/**
 * A record for a create message, its fields named by their declarations. A value the user typed for an
 * enumeration goes as typed, for the server to check (and to take in any case) as it does for every client.
 */
final class NewRecord<C> {
    private final ApiClass<C> cls;
    private final Map<String, Object> values = new LinkedHashMap<>();

    NewRecord(ApiClass<C> cls) { this.cls = cls; }

    <T> NewRecord<C> set(Field<C, T> field, T value) {
        values.put(field.name(), field.encode(value));
        return this;
    }

    /** The field's value as the user typed it. */
    NewRecord<C> text(Field<C, ?> field, String typed) {
        values.put(field.name(), typed);
        return this;
    }

    Rec<C> rec() { return Rec.of(cls, values); }
}
