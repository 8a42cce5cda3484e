package org.flotilla.host.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.flotilla.db.DbObject;
import org.flotilla.host.HttpRequests;

/**
 * {@code GET /console?uuid=<console uuid>} (or {@code ref=}): a running VM's serial console (vt100) as a
 * plain text stream. Authenticated by the {@code session_id} query parameter or cookie, as XAPI's console
 * handler. Without {@code follow=true} it sends what the guest printed so far; with it, it keeps streaming
 * until the VM stops or the client goes away.
 */
public final class ConsoleHttp extends Handler.Abstract {
    private final VmRuntime runtime;

    public ConsoleHttp(VmRuntime runtime) {
        super(InvocationType.BLOCKING);
        this.runtime = runtime;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!"GET".equals(request.getMethod())) return HttpRequests.text(response, callback, 405, "method not allowed\n");
        var db = runtime.db();
        if (!HttpRequests.authenticated(request, db)) return HttpRequests.text(response, callback, 401, "no valid session_id\n");
        Fields q = Request.extractQueryParameters(request);
        String ref = q.getValue("ref");
        String uuid = q.getValue("uuid");
        Optional<String> consoleRef = ref != null ? Optional.of(ref) : uuid == null ? Optional.empty() : db.refByUuid("console", uuid);
        DbObject console = consoleRef.map(r -> db.get("console", r)).orElse(null);
        if (console == null) return HttpRequests.text(response, callback, 404, "no such console\n");
        String vm = console.string("VM");
        Optional<Path> log = runtime.serialLog(vm);
        if (log.isEmpty()) return HttpRequests.text(response, callback, 404, "the VM is not running\n");
        boolean follow = "true".equals(q.getValue("follow"));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        try (OutputStream out = Content.Sink.asOutputStream(response);
             RandomAccessFile f = new RandomAccessFile(log.get().toFile(), "r")) {
            byte[] buf = new byte[16384];
            while (true) {
                int n = f.read(buf);
                if (n > 0) {
                    out.write(buf, 0, n);
                    continue;
                }
                if (!follow || !runtime.isRunning(vm)) break;
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
