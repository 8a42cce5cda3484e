package org.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.net.ssl.SSLParameters;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;

/**
 * What a command does at the user's end: a text console for xe's console command, followed as it prints or joined to
 * the user's terminal both ways; and a file of the user's sent to or written from the host's HTTP handlers, as XAPI's
 * xe does for vdi-import and vdi-export (its server asks the client to PUT or GET the file).
 */
interface ClientEnd {
    int CONNECT_TIMEOUT_MS = 10_000;
    int MAX_HEAD = 16 * 1024;

    /**
     * Streams the console at {@code location} (its path and query, read from the host xe talks to)
     * until the VM stops or the user interrupts; false if there is nothing to stream from.
     */
    boolean follow(String location, Ref<Session> session);

    /**
     * Joins the console at {@code location} to the user's terminal both ways (a login, or a person at a terminal);
     * false if there is no terminal to join it to.
     */
    default boolean interact(String location, Ref<Session> session) { return false; }

    /** Whether a person types where xe runs, so that a VM's console is joined to them rather than followed. */
    default boolean interactive() { return false; }

    /** PUTs what the user sends ({@code upload}: a file, or an OVF directory as an OVA) to {@code target} (a path and query on the host), in {@code session}. */
    default void upload(Upload upload, String target, Ref<Session> session) { throw noHost(); }

    /** GETs {@code target} into the user's {@code file}, made anew (or left as it was if the host refuses). */
    default void download(String target, Ref<Session> session, Path file) { throw noHost(); }

    private static CliFailure noHost() { return CliFailure.error("Files are sent to and from a host: name one with -s"); }

    ClientEnd NONE = (location, session) -> false;

    /**
     * {@code consoles} with the user's files left to the client: where the daemon runs a command for an xe on its own
     * socket, whose user's working directory is not the daemon's.
     */
    static ClientEnd filesOnClient(ClientEnd consoles) {
        return new ClientEnd() {
            @Override public boolean follow(String location, Ref<Session> session) { return consoles.follow(location, session); }
            @Override public boolean interact(String location, Ref<Session> session) { return consoles.interact(location, session); }
            @Override public boolean interactive() { return consoles.interactive(); }
            @Override public void upload(Upload upload, String target, Ref<Session> session) { throw new OnClient(); }
            @Override public void download(String target, Ref<Session> session, Path file) { throw new OnClient(); }
        };
    }

    /** The console xe's run reads from, once it knows where it connects. */
    @FunctionalInterface
    interface Opener {
        ClientEnd open(GlobalOptions options, PrintStream out);
    }

    /**
     * Raised on the host that runs a command for a remote xe ({@code /cli}), when the command wants the user's terminal
     * or files: they are where the user is, so xe runs that command itself.
     */
    final class OnClient extends RuntimeException {
        OnClient() { super("the command needs the terminal or the files of the user who runs it", null, false, false); }
    }

    /** Where a host runs a remote xe's command: the console and the files are the client's. */
    Opener ON_CLIENT = (options, out) -> new ClientEnd() {
        @Override
        public boolean follow(String location, Ref<Session> session) { throw new OnClient(); }

        @Override
        public boolean interact(String location, Ref<Session> session) { throw new OnClient(); }

        @Override
        public void upload(Upload upload, String target, Ref<Session> session) { throw new OnClient(); }

        @Override
        public void download(String target, Ref<Session> session, Path file) { throw new OnClient(); }
    };

    /** Consoles over the HTTP(S) port xe's options name, joined to the terminal that {@code keys} are typed on. */
    static Opener overHttp(InputStream keys) {
        return (options, out) -> new OverHttp(options.server(), options.effectivePort(), options.tls(), out, new LocalTerminal(keys, out));
    }

    /**
     * The console over the API's own HTTP(S) port, authenticated by the session: followed with a GET, joined to
     * {@code terminal} through an HTTP CONNECT.
     */
    record OverHttp(String server, int port, boolean tls, PrintStream out, Terminal terminal) implements ClientEnd {
        @Override
        public boolean interactive() { return terminal.interactive(); }

        @Override
        public boolean follow(String location, Ref<Session> session) {
            try (HttpClient http = http()) {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri(location, session, "&follow=true")).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) throw CliFailure.error("The console is not available (HTTP " + response.statusCode() + ")");
                try (InputStream in = response.body()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        out.flush();
                        if (out.checkError()) break;  // the reader has gone (a host streaming to a remote xe)
                    }
                }
                return true;
            } catch (IOException e) {
                throw CliFailure.error("Cannot read the console: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        @Override
        public boolean interact(String location, Ref<Session> session) {
            try (Socket socket = tls ? AnyCertificate.context().getSocketFactory().createSocket() : new Socket()) {
                socket.connect(new InetSocketAddress(server, port), CONNECT_TIMEOUT_MS);
                OutputStream o = socket.getOutputStream();
                o.write(("CONNECT " + target(location, session) + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                o.flush();
                InputStream in = socket.getInputStream();
                int status = statusOf(in);
                if (status != 200) throw CliFailure.error("The console is not available (HTTP " + status + ")");
                terminal.attach(new Terminal.Link(in, o, socket));
                return true;
            } catch (IOException e) {
                throw CliFailure.error("Cannot reach the console: " + e.getMessage());
            }
        }

        @Override
        public void upload(Upload upload, String target, Ref<Session> session) {
            try (HttpClient http = http()) {
                var body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(upload.body()), upload.length());
                var request = HttpRequest.newBuilder(uri(target, session, "")).PUT(body).build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) throw refused(response.statusCode(), response.body());
            } catch (IOException | java.io.UncheckedIOException e) {
                throw CliFailure.error("Cannot send " + upload.name() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliFailure.error("Interrupted while sending " + upload.name());
            }
        }

        @Override
        public void download(String target, Ref<Session> session, Path file) {
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (HttpClient http = http()) {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri(target, session, "")).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    if (response.statusCode() != 200) throw refused(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw CliFailure.error("Cannot write " + file + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliFailure.error("Interrupted while writing " + file);
            } finally {
                try { Files.deleteIfExists(partial); } catch (IOException ignored) { /* nothing more to say */ }
            }
        }

        /** The host's refusal: its XenAPI error, code and parameters, as the handler's text gives them. */
        private static CliFailure refused(int status, String body) {
            return CliFailure.error(body.isBlank() ? "The host answered HTTP " + status : body.strip());
        }

        private URI uri(String location, Ref<Session> session, String more) {
            return URI.create((tls ? "https" : "http") + "://" + server + ":" + port + target(location, session) + more);
        }

        private HttpClient http() {
            var builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
            if (tls) {
                var params = new SSLParameters();
                params.setEndpointIdentificationAlgorithm(null);
                builder.sslContext(AnyCertificate.context()).sslParameters(params);
            }
            return builder.build();
        }

        /** The console's path and query, with the session that may open it. */
        private static String target(String location, Ref<Session> session) {
            URI at = URI.create(location);
            return at.getRawPath() + "?" + (at.getRawQuery() == null ? "" : at.getRawQuery() + "&")
                    + "session_id=" + URLEncoder.encode(session.value(), StandardCharsets.UTF_8);
        }

        /** Reads a reply's head, byte by byte so that nothing of the console after it is taken; its status code. */
        private static int statusOf(InputStream in) throws IOException {
            var head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int b = in.read();
                if (b < 0 || head.length() > MAX_HEAD) throw new IOException("no reply from the host");
                head.append((char) b);
            }
            String[] status = head.toString().split(" ", 3);
            try {
                return status.length > 1 ? Integer.parseInt(status[1]) : 0;
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
