package org.flotilla.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * TLS for the QEMU-alone baseline as the daemons give it their QEMUs: a key and self-signed certificate per side made
 * with openssl, each side trusting the other's alone, loaded as a {@code tls-creds-x509} object.
 */
final class RawTls {
    static final String ID = "raw-tls";
    static final String NAME = "flotilla-migration";
    /** What the serving end (NBD server, incoming migration) is given: its credentials. */
    static final Map<String, Object> SERVER = Map.of("tls-creds", ID);
    /** What the connecting end is given: its credentials, and the name the server's certificate must carry. */
    static final Map<String, Object> CLIENT = Map.of("tls-creds", ID, "tls-hostname", NAME);

    private RawTls() {}

    /** Whether the run asks QEMU alone to speak TLS too ({@code raw-tls=true}), to tell TLS's cost from the toolstack's. */
    static boolean wanted(Map<String, String> opts) { return Boolean.parseBoolean(opts.getOrDefault("raw-tls", "false")); }

    static void give(Path dir, RawQemu client, RawQemu server) throws IOException, InterruptedException {
        Path c = identity(dir.resolve("tls-client-own"));
        Path s = identity(dir.resolve("tls-server-own"));
        install(client, dir.resolve("tls-client"), "client", c, s);
        install(server, dir.resolve("tls-server"), "server", s, c);
    }

    private static Path identity(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        var p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "2",
                "-subj", "/CN=" + NAME, "-addext", "subjectAltName=DNS:" + NAME).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) throw new IOException("openssl could not make a key");
        return dir;
    }

    private static void install(RawQemu q, Path dir, String end, Path own, Path peer) throws IOException {
        Files.createDirectories(dir);
        Files.copy(own.resolve("cert.pem"), dir.resolve(end + "-cert.pem"));
        Files.copy(own.resolve("key.pem"), dir.resolve(end + "-key.pem"));
        Files.copy(peer.resolve("cert.pem"), dir.resolve("ca-cert.pem"));
        q.qmp().execute("object-add", Map.of("qom-type", "tls-creds-x509", "id", ID, "endpoint", end, "dir", dir.toString(),
                "verify-peer", true, "sanity-check", false));
        List.of("ca-cert.pem", end + "-cert.pem", end + "-key.pem").forEach(f -> dir.resolve(f).toFile().delete());
    }
}
