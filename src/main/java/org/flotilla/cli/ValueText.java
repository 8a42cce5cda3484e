package org.flotilla.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flotilla.model.Type;

/**
 * A field value as xe prints it (records.ml): references as uuids, maps as "k1: v1; k2: v2", sets as
 * "a; b", floats with three decimals, datetimes as 20260101T12:00:00Z, VM power states lowercase.
 * Values may arrive typed (in-process) or as the strings XML-RPC carries; both print the same.
 */
final class ValueText {
    private static final DateTimeFormatter XAPI_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final RefUuids refs;

    ValueText(RefUuids refs) { this.refs = refs; }

    String format(Type type, Object value) {
        return switch (type) {
            case Type.Set s -> String.join("; ", elements(s, value));
            case Type.Map m -> String.join("; ", entries(m, value));
            default -> scalar(type, value);
        };
    }

    List<String> elements(Type.Set set, Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) for (Object v : list) out.add(scalar(set.element(), v));
        return out;
    }

    /** Map entries as "key: value" strings. */
    List<String> entries(Type.Map map, Object value) {
        List<String> out = new ArrayList<>();
        for (var e : asMap(map, value).entrySet()) out.add(e.getKey() + ": " + e.getValue());
        return out;
    }

    /** The map with keys and values printed; keys as the API spells them, since scripts pass them back. */
    Map<String, String> asMap(Type.Map map, Object value) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) out.put(scalar(map.key(), e.getKey()), scalar(map.value(), e.getValue()));
        }
        return out;
    }

    String scalar(Type type, Object value) {
        if (value == null) return "";
        return switch (type) {
            case Type.Ref r -> refs.uuidOf(r.className(), value.toString());
            case Type.Float f -> value instanceof Number n ? String.format(Locale.ROOT, "%.3f", n.doubleValue()) : value.toString();
            case Type.DateTime d -> value instanceof Instant i ? XAPI_DATE.format(i) : value.toString();
            case Type.Bool b -> value.toString().toLowerCase(Locale.ROOT);
            // record_util.ml: vm_power_state_to_lowercase_string; other enums print as the API spells them
            case Type.Enum e when e.name().equals("vm_power_state") -> value.toString().toLowerCase(Locale.ROOT);
            case Type.Set s -> String.join("; ", elements(s, value));
            case Type.Map m -> String.join("; ", entries(m, value));
            default -> value.toString();
        };
    }
}
