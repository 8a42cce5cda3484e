package org.flotilla.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The one Jackson configuration of the journal's files: strict, so damage is never half-read. */
final class JsonCodec {
    private static final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private JsonCodec() {}

    static byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }

    static JsonNode parse(byte[] bytes) throws IOException {
        JsonNode n = mapper.readTree(bytes);
        if (n == null || !n.isObject()) throw new IOException("not a JSON object");
        return n;
    }
}
