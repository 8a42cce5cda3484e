package org.flotilla.runtime.console;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.HttpCalls;
import org.flotilla.api.HttpRefusal;
import org.flotilla.api.TunnelRequest;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * {@code GET /console?uuid=<console uuid>} (or {@code ref=}, or a VM's uuid or ref): a running VM's serial console
 * (vt100) as a plain text stream, for {@code xe console} and scripts; the same consoles as byte streams both ways
 * are {@link ConsoleTunnels}. Authenticated by the {@code session_id} query parameter or cookie, as XAPI's console
 * handler, and run under the client's task if {@code task_id} names one. Without {@code follow=true} it sends what
 * the guest printed so far; with it, it keeps streaming until the VM stops or the client goes away (which fails the
 * task, as XAPI fails a task whose client broke off).
 */
public final class ConsoleHttp extends Handler.Abstract {
    private final ConsoleLookup consoles;
    private final HttpCalls calls;

    public ConsoleHttp(ConsoleLookup consoles, HttpCalls calls) {
        super(InvocationType.BLOCKING);
        this.consoles = consoles;
        this.calls = calls;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"GET".equals(request.getMethod())) return HttpRequests.text(response, callback, 405, "method not allowed\n");
        return HttpRequests.underTask(calls, request, response, callback, (r, task) -> stream(r, response, callback));
    }

    private void stream(TunnelRequest request, Response response, Callback callback) throws IOException, InterruptedException {
        if (!(consoles.find(request, ConsoleProtocol.vt100) instanceof ConsoleLookup.OfVm found)) {
            throw new HttpRefusal(400, ApiError.of("OPERATION_NOT_ALLOWED", "the host's console is a login, reached by HTTP CONNECT or a WebSocket"));
        }
        if (found.console().get(Console.protocol) != ConsoleProtocol.vt100) {
            throw new HttpRefusal(400, ApiError.of("OPERATION_NOT_ALLOWED", "an rfb console is reached by HTTP CONNECT or a WebSocket"));
        }
        Ref<VM> vm = found.console().get(Console.VM);
        Path log = QemuCommand.serialLog(found.runDir());
        boolean follow = "true".equals(request.param("follow"));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        try (OutputStream out = Content.Sink.asOutputStream(response);
             RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            byte[] buf = new byte[16384];
            while (true) {
                int n = f.read(buf);
                if (n > 0) {
                    out.write(buf, 0, n);
                    continue;
                }
                if (!follow || !consoles.runsHere(vm)) break;
                out.flush();
                Thread.sleep(100);
            }
        }
        callback.succeeded();
    }
}
