package org.flotilla.raft;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.flotilla.db.Expectation;
import org.flotilla.db.Transaction;
import org.flotilla.db.TransactionJson;

/**
 * A transaction as a Raft log entry: the journal's JSON of it plus the id the proposer gave it, by which the
 * proposer recognizes its own transaction when it comes back committed, and what it expects of the objects it
 * changes.
 */
final class LogEntries {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    record Entry(String proposal, Transaction transaction, List<Expectation> expected) {}

    private final TransactionJson codec;

    LogEntries(TransactionJson codec) { this.codec = codec; }

    byte[] encode(String proposal, Transaction tx, List<Expectation> expected) {
        try {
            var node = codec.encode(tx).put("proposal", proposal);
            if (!expected.isEmpty()) node.set("expected", codec.encodeExpectations(expected));
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a transaction that cannot be written", e);
        }
    }

    Entry decode(byte[] bytes) throws IOException {
        JsonNode node = MAPPER.readTree(bytes);
        if (node == null || !node.path("proposal").isTextual()) throw new IOException("not a pool database log entry");
        return new Entry(node.get("proposal").textValue(), codec.decode(node), codec.decodeExpectations(node.get("expected")));
    }
}
