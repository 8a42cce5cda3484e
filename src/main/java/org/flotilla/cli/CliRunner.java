package org.flotilla.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.flotilla.api.Rpc;

/** Runs a remote xe's command line on this host, through this host's XenAPI, and answers in {@link CliWire}'s frames. */
final class CliRunner {
    private final Rpc api;
    private final Xe.Login login;

    /** {@code api}: this host's XenAPI, as its HTTPS endpoint serves it; {@code login}: how a command gets its session. */
    CliRunner(Rpc api, Xe.Login login) {
        this.api = api;
        this.login = login;
    }

    /** The reply to {@code line}, asked from {@code client} (an address that login limits count by). */
    byte[] run(CliWire.Request line, String client) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Rpc asClient = (method, params) -> api.call(method, params, client);
        var options = GlobalOptions.forCommand(line.user(), line.password(), line.debug(), line.words());
        var reply = new ByteArrayOutputStream();
        try {
            try {
                int code = new Xe((host, port, tls) -> asClient, utf8(out), utf8(err), ConsoleStream.ON_CLIENT, login).run(options);
                CliWire.writeFrame(reply, CliWire.STDOUT, out.toByteArray());
                CliWire.writeFrame(reply, CliWire.STDERR, err.toByteArray());
                CliWire.writeExit(reply, code);
            } catch (ConsoleStream.OnClient e) {
                CliWire.writeFrame(reply, CliWire.ON_CLIENT, new byte[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // written to memory: cannot happen
        }
        return reply.toByteArray();
    }

    private static PrintStream utf8(ByteArrayOutputStream to) { return new PrintStream(to, true, StandardCharsets.UTF_8); }
}
