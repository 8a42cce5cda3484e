package org.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;

/** Copies a VM's text console to the terminal, as xe's console command attaches to it. */
interface ConsoleStream {
    /**
     * Streams the console at {@code location} (its path and query, read from the host xe talks to)
     * until the VM stops or the user interrupts; false if there is nothing to stream from.
     */
    boolean follow(String location, Ref<Session> session);

    ConsoleStream NONE = (location, session) -> false;

    /** The console xe's run reads from, once it knows where it connects. */
    @FunctionalInterface
    interface Opener {
        ConsoleStream open(GlobalOptions options, PrintStream out);
    }

    /**
     * Raised on the host that runs a command for a remote xe ({@code /cli}), when the command wants the user's terminal:
     * the console must be read where the user is, so xe runs that command itself.
     */
    final class OnClient extends RuntimeException {
        OnClient() { super("the command needs the terminal of the user who runs it", null, false, false); }
    }

    /** Where a host runs a remote xe's command: the console is the client's to follow. */
    Opener ON_CLIENT = (options, out) -> (location, session) -> { throw new OnClient(); };

    /** The console over the API's own HTTP(S) port, authenticated by the session. */
    record OverHttp(String server, int port, boolean tls, PrintStream out) implements ConsoleStream {
        @Override
        public boolean follow(String location, Ref<Session> session) {
            URI at = URI.create(location);
            String query = (at.getRawQuery() == null ? "" : at.getRawQuery() + "&")
                    + "session_id=" + URLEncoder.encode(session.value(), StandardCharsets.UTF_8) + "&follow=true";
            URI uri = URI.create((tls ? "https" : "http") + "://" + server + ":" + port + at.getRawPath() + "?" + query);
            var builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
            if (tls) {
                var params = new SSLParameters();
                params.setEndpointIdentificationAlgorithm(null);
                builder.sslContext(AnyCertificate.context()).sslParameters(params);
            }
            try (HttpClient http = builder.build()) {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
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
    }
}
