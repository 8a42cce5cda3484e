package org.flotilla.host;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What this host keeps for itself outside the pool's database, as XAPI's local.db: facts about this host alone
 * that must outlive a restart, and that a new coordinator's database must not overwrite.
 */
public final class HostLocalDb {
    private final Path file;

    public HostLocalDb(Path stateDir) { this.file = stateDir.resolve("local.db"); }

    public synchronized Optional<Boolean> bool(String key) {
        String v = read().getProperty(key);
        return v == null ? Optional.empty() : Optional.of(Boolean.parseBoolean(v));
    }

    public synchronized void put(String key, boolean value) {
        Properties p = read();
        if (String.valueOf(value).equals(p.getProperty(key))) return;
        p.setProperty(key, String.valueOf(value));
        var out = new StringWriter();
        try {
            p.store(out, null);
            AtomicFile.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Properties read() {
        var p = new Properties();
        if (!Files.exists(file)) return p;
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
