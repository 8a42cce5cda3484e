package org.flotilla.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.flotilla.api.Rpc;

/**
 * Runs a remote xe's command line on this host, through this host's XenAPI, answering in {@link CliWire}'s frames as
 * the command prints: a console it follows streams to the client as it comes.
 */
final class CliRunner {
    private final Rpc api;
    private final Xe.Login login;

    /** {@code api}: this host's XenAPI, as its HTTPS endpoint serves it; {@code login}: how a command gets its session. */
    CliRunner(Rpc api, Xe.Login login) {
        this.api = api;
        this.login = login;
    }

    /**
     * Runs {@code line}, asked from {@code client} (an address that login limits count by), writing its frames to
     * {@code reply}; a console the command follows or joins is reached through {@code consoles}
     * ({@link ClientEnd#ON_CLIENT} to leave it to the client). False if the command wants the client's terminal, when nothing was written and the caller answers
     * {@link CliWire#ON_CLIENT} (only a run whose consoles are {@link ClientEnd#ON_CLIENT} can).
     */
    boolean run(CliWire.Request line, String client, OutputStream reply, ClientEnd.Opener consoles) throws IOException {
        Rpc asClient = (method, params) -> api.call(method, params, client);
        var options = GlobalOptions.forCommand(line.user(), line.password(), line.debug(), line.words());
        try (var out = framing(reply, CliWire.STDOUT); var err = framing(reply, CliWire.STDERR)) {
            int code = new Xe((host, port, tls) -> asClient, out, err, consoles, login).run(options);
            out.flush();
            err.flush();
            synchronized (reply) {
                CliWire.writeExit(reply, code);
                reply.flush();
            }
            return true;
        } catch (ClientEnd.OnClient e) {
            return false;
        }
    }

    private static PrintStream framing(OutputStream reply, byte tag) {
        return new PrintStream(new Frames(reply, tag), true, StandardCharsets.UTF_8);
    }

    /** Each write a frame of one stream, on the reply both streams share. */
    private static final class Frames extends OutputStream {
        private final OutputStream reply;
        private final byte tag;

        Frames(OutputStream reply, byte tag) {
            this.reply = reply;
            this.tag = tag;
        }

        @Override
        public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            synchronized (reply) {
                CliWire.writeFrame(reply, tag, Arrays.copyOfRange(b, off, off + len));
                reply.flush();
            }
        }

        @Override
        public void close() {
            // the reply is the caller's
        }
    }
}
