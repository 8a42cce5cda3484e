package org.flotilla.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.Rpc;
import org.flotilla.server.RequestBodies;

/**
 * {@code POST /cli}: runs an xe command line here, as XAPI's server parses and prints for its thin xe, so that each
 * command costs the client one request and no knowledge of the model. The command logs in with the credentials it
 * carries, through the same XenAPI (and login limits) as any network client.
 */
public final class CliEndpoint extends Handler.Abstract {
    private final CliRunner runner;

    /** {@code api}: this host's XenAPI, as its HTTPS endpoint serves it. */
    public CliEndpoint(Rpc api) {
        super(InvocationType.BLOCKING);
        this.runner = new CliRunner(api, Xe::login);
    }

    public static String path() { return CliWire.PATH; }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        if (!CliWire.PATH.equals(Request.getPathInContext(request))) return false;
        if (!"POST".equals(request.getMethod())) return reply(response, callback, 405, text("POST an xe command line\n"));
        CliWire.Request line;
        try {
            line = CliWire.Request.decode(RequestBodies.readAtMost(request, CliWire.MAX_REQUEST));
        } catch (RequestBodies.TooLarge e) {
            line = null;
        }
        if (line == null) return reply(response, callback, 400, text("not an xe command line\n"));
        var reply = new ByteArrayOutputStream();
        if (!runner.run(line, Request.getRemoteAddr(request), reply, ClientEnd.ON_CLIENT)) {
            reply.reset();
            CliWire.writeFrame(reply, CliWire.ON_CLIENT, new byte[0]);
        }
        return reply(response, callback, 200, reply.toByteArray());
    }

    private static byte[] text(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static boolean reply(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, status == 200 ? CliWire.CONTENT_TYPE : "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
