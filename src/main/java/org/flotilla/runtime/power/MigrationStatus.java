package org.flotilla.runtime.power;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import org.flotilla.model.ApiError;
import org.flotilla.qemu.Qmp;

/** QMP query-migrate, as suspend (saving the stream) and resume (loading it) both poll it. */
public final class MigrationStatus {
    private MigrationStatus() {}

    /** The migration's status ("" before one runs); a failed or cancelled one is an error about {@code what}. */
    public static String check(Qmp qmp, String what) throws IOException {
        JsonNode m = qmp.execute("query-migrate");
        String status = m.path("status").asText("");
        if (status.equals("failed") || status.equals("cancelled")) {
            throw ApiError.internal(what + " failed: " + m.path("error-desc").asText(status));
        }
        return status;
    }

    /**
     * A pause between two polls of the status that ends as soon as QEMU announces a change of it (its MIGRATION event,
     * with the events capability) after {@code mark} ({@link Qmp#eventMark}), or after {@code longest}.
     */
    public static void awaitChange(Qmp qmp, long mark, Duration longest) throws InterruptedException {
        qmp.pauseUntil(mark, e -> e.name().equals("MIGRATION"), longest);
    }
}
