package org.flotilla.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.flotilla.host.AtomicFile;

/**
 * That this host belongs to a pool of several, kept beside its state as XAPI keeps pool.conf: the pool database's
 * group (the pool's uuid), the port this host serves it on, the coordinator it joined through, and the members'
 * certificate fingerprints it trusted then, before its copy of the database lists them. A host without the file is
 * a pool of its own on its journal.
 *
 * @param joinedThrough the coordinator's address (host[:port] of its API) the host joined through; empty for the
 *                      host that founded the group
 */
public record MemberFile(UUID group, int databasePort, String joinedThrough, Set<String> trusted) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "pool-member.json";

    public MemberFile {
        trusted = Set.copyOf(trusted);
    }

    public static Optional<MemberFile> read(Path stateDir) {
        Path file = stateDir.resolve(NAME);
        if (!Files.exists(file)) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(file.toFile());
            var trusted = new LinkedHashSet<String>();
            n.path("trusted").forEach(t -> trusted.add(t.asText()));
            return Optional.of(new MemberFile(UUID.fromString(n.path("group").asText()), n.path("database_port").asInt(),
                    n.path("joined_through").asText(""), trusted));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path stateDir) {
        ObjectNode n = JSON.createObjectNode().put("group", group.toString()).put("database_port", databasePort)
                .put("joined_through", joinedThrough);
        trusted.forEach(n.putArray("trusted")::add);
        try {
            AtomicFile.write(stateDir.resolve(NAME), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The host leaves its pool: at its next start it is a pool of its own again. */
    public static void delete(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(NAME));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
