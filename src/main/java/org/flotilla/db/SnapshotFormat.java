package org.flotilla.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import org.flotilla.db.file.Frames;
import org.flotilla.db.file.RecordFile;

/**
 * A snapshot file: a record file whose records are a header {@code {"snapshot":G,"time":T}}, chunks
 * {@code {"ops":[put, …]}} of the objects, and a trailer {@code {"end":N}} counting them. Only a file
 * with its trailer is a snapshot: the count and the checksums prove nothing is missing.
 */
public final class SnapshotFormat {
    private static final JsonNodeFactory json = JsonNodeFactory.instance;
    private static final int OBJECTS_PER_RECORD = 256;

    private final TransactionJson codec;

    public SnapshotFormat(TransactionJson codec) { this.codec = codec; }

    /** Writes the snapshot to {@code path} and forces it to disk; {@code afterFirstChunk} is a test seam. */
    public void write(Path path, long generation, long timeMillis, Iterable<Op.Put> objects, Runnable afterFirstChunk)
            throws IOException {
        try (RecordFile f = RecordFile.create(path, RecordFile.SNAPSHOT_MAGIC)) {
            f.append(JsonCodec.bytes(json.objectNode().put("snapshot", generation).put("time", timeMillis)));
            long count = 0;
            ArrayNode chunk = json.arrayNode();
            boolean firstChunk = true;
            for (Op.Put put : objects) {
                chunk.add(codec.encodeOp(put));
                count++;
                if (chunk.size() == OBJECTS_PER_RECORD) {
                    f.append(JsonCodec.bytes(json.objectNode().set("ops", chunk)));
                    chunk = json.arrayNode();
                    if (firstChunk) afterFirstChunk.run();
                    firstChunk = false;
                }
            }
            if (!chunk.isEmpty()) f.append(JsonCodec.bytes(json.objectNode().set("ops", chunk)));
            if (firstChunk) afterFirstChunk.run();
            f.append(JsonCodec.bytes(json.objectNode().put("end", count)));
            f.force();
        }
    }

    /** The snapshot as one transaction of Puts at its generation; IOException if it is not whole. */
    public Transaction read(Path path) throws IOException {
        try (RecordFile.Reader r = RecordFile.Reader.open(path, RecordFile.SNAPSHOT_MAGIC)) {
            JsonNode header = JsonCodec.parse(payload(r.next(), path));
            if (!header.path("snapshot").isIntegralNumber() || !header.path("time").isIntegralNumber()) {
                throw new IOException(path + ": no snapshot header");
            }
            var puts = new ArrayList<Op>();
            long stored = 0;
            while (true) {
                JsonNode rec = JsonCodec.parse(payload(r.next(), path));
                if (rec.has("end")) {
                    if (rec.get("end").asLong(-1) != stored) {
                        throw new IOException(path + ": holds " + stored + " objects, its trailer says " + rec.get("end"));
                    }
                    if (!(r.next() instanceof Frames.Read.End)) throw new IOException(path + ": data after the trailer");
                    return new Transaction(header.get("snapshot").longValue(), header.get("time").longValue(), puts);
                }
                JsonNode ops = rec.get("ops");
                if (ops == null || !ops.isArray()) throw new IOException(path + ": unexpected record " + rec);
                stored += ops.size();
                try {
                    puts.addAll(codec.decodeOps(ops));
                } catch (IllegalArgumentException e) {
                    throw new IOException(path + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static byte[] payload(Frames.Read read, Path path) throws IOException {
        return switch (read) {
            case Frames.Read.Record r -> r.payload();
            case Frames.Read.End e -> throw new IOException(path + ": ends before its trailer");
            case Frames.Read.Torn t -> throw new IOException(path + ": " + t.why() + " at " + t.offset());
            case Frames.Read.Corrupt c -> throw new IOException(path + ": " + c.why() + " at " + c.offset());
        };
    }

}
