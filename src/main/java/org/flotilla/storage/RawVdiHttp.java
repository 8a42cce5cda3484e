package org.flotilla.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.HttpCalls;
import org.flotilla.api.HttpRefusal;
import org.flotilla.api.HttpTask;
import org.flotilla.api.Rbac;
import org.flotilla.api.TunnelRequest;
import org.flotilla.db.Database;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.Access;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.VDI;

/**
 * XAPI's disk streams over HTTP, on the API's port: {@code PUT /import_raw_vdi?vdi=<ref or uuid>[&format=raw|vhd|qcow2]}
 * overwrites a VDI with the request's body, {@code GET
 * /export_raw_vdi?vdi=...[&format=raw|vhd|qcow2][&base=<ref or uuid>]} sends one, or only what differs from {@code
 * base} ({@link DiskStreams}). Authenticated by {@code session_id} (query or cookie) with the permission XAPI asks
 * (http/put_import_raw_vdi, http/get_export_raw_vdi: vm-admin), under the client's task if {@code task_id} names one,
 * whose progress follows the bytes and whose result is the VDI's ref. A VDI whose SR this host has not plugged is
 * served by a host that has: the client is redirected there (302), as XAPI does. Failures answer a status and the
 * XenAPI error as text, and fail the task with it.
 */
public final class RawVdiHttp extends Handler.Abstract {
    public enum Kind {
        IMPORT("/import_raw_vdi", "PUT", "http/put_import_raw_vdi"),
        EXPORT("/export_raw_vdi", "GET", "http/get_export_raw_vdi");

        private final HttpRequests.Route route;

        Kind(String path, String method, String permission) { this.route = new HttpRequests.Route(path, method, permission); }

        public String path() { return route.path(); }
    }

    private final Database db;
    private final DiskStreams streams;
    private final HttpCalls calls;
    private final Kind kind;

    public RawVdiHttp(Database db, DiskStreams streams, HttpCalls calls, Kind kind) {
        super(InvocationType.BLOCKING);
        this.db = db;
        this.streams = streams;
        this.calls = calls;
        this.kind = kind;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        return kind.route.serve(calls, request, response, callback, (r, task) -> serve(r, task, request, response, callback));
    }

    private void serve(TunnelRequest r, HttpTask task, Request request, Response response, Callback callback) throws IOException {
        Rbac.require(db, Session.CLASS.ref(r.sessionId()), Access.VM_ADMIN, kind.route.permission());
        Ref<VDI> vdi = vdiOf(r.param("vdi"));
        String baseParam = r.param("base");
        Ref<VDI> base = kind == Kind.EXPORT && baseParam != null ? vdiOf(baseParam) : null;
        String formatName = r.param("format");
        DiskStreams.Format format = DiskStreams.Format.of(formatName)
                .orElseThrow(() -> new HttpRefusal(404, ApiError.internal("Unknown format " + formatName)));
        var elsewhere = streams.elsewhere(vdi);
        if (elsewhere.isPresent()) {
            redirect(request, response, callback, db.require(elsewhere.get()).get(Host.address));
            return;
        }
        response.getHeaders().put("Task-id", task.ref().value());
        if (kind == Kind.IMPORT) {
            if (r.query().containsKey("chunked")) throw new HttpRefusal(404, ApiError.of("IMPORT_ERROR_CANNOT_HANDLE_CHUNKED"));
            try (InputStream body = Content.Source.asInputStream(request)) {
                try {
                    streams.importInto(vdi, format, body, request.getLength(), task);
                } catch (ApiError e) {
                    drain(body);
                    throw refusal(e);
                }
            }
            task.success(vdi.value());
            HttpRequests.text(response, callback, 200, "");
            return;
        }
        try (DiskStreams.Export export = streams.export(vdi, format, base)) {
            response.setStatus(200);
            var headers = response.getHeaders();
            headers.put(HttpHeader.CONTENT_TYPE, format.contentType());
            headers.put(HttpHeader.CONTENT_LENGTH, export.length());
            headers.put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + db.require(vdi).get(VDI.uuid) + "." + format.wire() + "\"");
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                export.writeTo(out, task);
            }
        }
        callback.succeeded();
    }

    /**
     * Reads what is left of a refused stream, so that the client, which may still be sending, gets the reply: a
     * connection closed on unread bytes is reset, and the reply lost with it.
     */
    public static void drain(InputStream body) {
        try {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException gone) {
            // the client has gone: nobody to answer
        }
    }

    /** A refused stream is the client's to fix: 400, where XAPI, which answers before it reads, has only the task. */
    public static RuntimeException refusal(ApiError e) {
        return switch (e.code()) {
            case "IMPORT_ERROR", "IMPORT_ERROR_PREMATURE_EOF", "VDI_TOO_SMALL" -> new HttpRefusal(400, e);
            case "VDI_IN_USE", "VDI_READONLY", "OTHER_OPERATION_IN_PROGRESS" -> new HttpRefusal(409, e);
            default -> e;
        };
    }

    /** The VDI {@code vdi=} names, by ref or by uuid, as XAPI's vdi_of_req takes it. */
    private Ref<VDI> vdiOf(String given) {
        if (given == null || given.isEmpty()) throw new HttpRefusal(400, ApiError.of("VDI_MISSING", "", ""));
        Ref<VDI> ref = VDI.CLASS.ref(given);
        if (db.exists(ref)) return ref;
        return db.refByUuid(VDI.CLASS, given).orElseThrow(() -> new HttpRefusal(404, ApiError.of("UUID_INVALID", "VDI", given)));
    }

    /** XAPI's return_302_redirect: the same request at the host that has the VDI's SR, on the port the client used here. */
    public static void redirect(Request request, Response response, Callback callback, String address) {
        String query = request.getHttpURI().getQuery();
        String scheme = request.isSecure() ? "https" : "http";
        String host = address.contains(":") ? "[" + address + "]" : address;
        response.getHeaders().put(HttpHeader.LOCATION, scheme + "://" + host + ":" + Request.getLocalPort(request) + Request.getPathInContext(request) + (query == null ? "" : "?" + query));
        HttpRequests.text(response, callback, 302, "");
    }
}
