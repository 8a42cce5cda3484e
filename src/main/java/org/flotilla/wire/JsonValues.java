package org.flotilla.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.model.Memo;
import org.flotilla.model.XapiDateTime;

/** Values to and from JSON as XAPI's JSON-RPC maps them: int64 as numbers, datetimes as XAPI's text, void as "". */
final class JsonValues {
    private JsonValues() {}

    static void write(JsonGenerator out, Object value) throws IOException {
        switch (value) {
            case null -> out.writeString(""); // void
            case String s -> out.writeString(s);
            case Long l -> out.writeNumber(l);
            case Integer i -> out.writeNumber(i);
            case Short s -> out.writeNumber(s);
            case Byte b -> out.writeNumber(b);
            case Double d -> out.writeNumber(d);
            case Float f -> out.writeNumber(f);
            case Boolean b -> out.writeBoolean(b);
            case Instant t -> out.writeString(XapiDateTime.format(t));
            case LocalDateTime t -> out.writeString(XapiDateTime.format(t));
            case Enum<?> e -> out.writeString(e.toString());
            case Map<?, ?> m when m instanceof Memo.Holder kept -> RecordEncodings.writeJson(out, kept, m);
            case Map<?, ?> m -> object(out, m);
            case Collection<?> c -> {
                out.writeStartArray();
                for (var item : c) write(out, item);
                out.writeEndArray();
            }
            case CharSequence cs -> out.writeString(cs.toString());
            default -> throw new IllegalArgumentException("no JSON encoding for " + value.getClass().getName());
        }
    }

    /** A map as an object, whether or not an encoding of it was kept: what {@link RecordEncodings} keeps. */
    static void object(JsonGenerator out, Map<?, ?> members) throws IOException {
        out.writeStartObject();
        for (var e : members.entrySet()) {
            out.writeFieldName(String.valueOf(e.getKey()));
            write(out, e.getValue());
        }
        out.writeEndObject();
    }

    /** A decoded JSON value; strings stay strings, as XAPI's parser leaves them (no datetime guessing). */
    static Object read(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> node.textValue();
            case BOOLEAN -> node.booleanValue();
            case NULL -> null;
            case NUMBER -> number(node);
            case ARRAY -> {
                var items = new ArrayList<Object>(node.size());
                for (var item : node) items.add(read(item));
                yield items;
            }
            case OBJECT -> {
                var members = new LinkedHashMap<String, Object>();
                for (var e : node.properties()) members.put(e.getKey(), read(e.getValue()));
                yield members;
            }
            default -> throw new WireFormatException("unsupported JSON value: " + node.getNodeType());
        };
    }

    private static Object number(JsonNode node) {
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) throw new WireFormatException("integer out of int64 range: " + node);
            return node.longValue();
        }
        return node.doubleValue();
    }
}
