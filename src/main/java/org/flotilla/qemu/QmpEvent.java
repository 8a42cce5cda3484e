package org.flotilla.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;

/**
 * An asynchronous QMP event ({@code {"event": NAME, "data": {...}, "timestamp": {...}}}).
 *
 * @param seq  position of the event among those received on its connection, from 1
 * @param name the event name, e.g. {@code SHUTDOWN}
 * @param data the event's data object, or a {@link MissingNode} when it has none
 * @param timestamp QEMU's timestamp of the event
 */
public record QmpEvent(long seq, String name, JsonNode data, Instant timestamp) {
    /** A field of {@link #data()} as text, or null. */
    public String dataText(String field) {
        JsonNode n = data.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
