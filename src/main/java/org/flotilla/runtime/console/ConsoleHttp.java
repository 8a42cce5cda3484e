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
import org.flotilla.db.Database;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.launch.QemuCommand;

/**
 * {@code GET /console?uuid=<console uuid>} (or {@code ref=}, or a VM's uuid or ref): a running VM's serial console
 * (vt100) as a plain text stream, for {@code xe console} and scripts; the same consoles as byte streams both ways
 * are {@link ConsoleTunnels}. Authenticated by the {@code session_id} query parameter or cookie, as XAPI's console
 * handler. Without {@code follow=true} it sends what the guest printed so far; with it, it keeps streaming
 * until the VM stops or the client goes away.
 */
public final class ConsoleHttp extends Handler.Abstract {
    private final Database db;
    private final Domains domains;

    public ConsoleHttp(Database db, Domains domains) {
        super(InvocationType.BLOCKING);
        this.db = db;
        this.domains = domains;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!"GET".equals(request.getMethod())) return HttpRequests.text(response, callback, 405, "method not allowed\n");
        var tunnelRequest = HttpRequests.of(request);
        ConsoleLookup.Found found;
        switch (ConsoleLookup.of(db, domains, tunnelRequest, ConsoleProtocol.vt100)) {
            case ConsoleLookup.Missing m -> { return HttpRequests.text(response, callback, m.refusal().status(), m.refusal().reason() + "\n"); }
            case ConsoleLookup.Found f when f.console().get(Console.protocol) != ConsoleProtocol.vt100 -> {
                return HttpRequests.text(response, callback, 400, "an rfb console is reached by HTTP CONNECT or a WebSocket\n");
            }
            case ConsoleLookup.Found f -> found = f;
        }
        Ref<VM> vm = found.console().get(Console.VM);
        Path log = QemuCommand.serialLog(found.runDir());
        boolean follow = "true".equals(tunnelRequest.param("follow"));
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
                if (!follow || !domains.isRunning(vm)) break;
                out.flush();
                Thread.sleep(100);
            }
            callback.succeeded();
        } catch (IOException e) {
            callback.failed(e);
        }
        return true;
    }
}
