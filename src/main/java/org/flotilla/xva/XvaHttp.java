package org.flotilla.xva;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
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
import org.flotilla.api.Rpc;
import org.flotilla.api.TunnelRequest;
import org.flotilla.db.Database;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.Access;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.storage.DiskStreams;
import org.flotilla.storage.RawVdiHttp;

/**
 * XAPI's whole-VM handlers, on the API's port: {@code GET /export?uuid=|ref=[&use_compression=true|zstd]} sends a
 * halted or suspended VM, or a snapshot, as an XVA ({@link XvaExport}), {@code GET /export_metadata?...} its ova.xml
 * alone, and {@code PUT /import?sr_id=<SR ref>} makes a VM of one ({@link XvaImport}), or VMs of a VMware OVA, each on
 * a subtask ({@link OvaImport}); Xen Orchestra adds a trailing slash to each. Run as the
 * raw-disk handlers run ({@link RawVdiHttp}): the client's session (query, cookie or Basic credentials) with XAPI's
 * permissions for them (vm-admin), under its task, whose result for an import is the new VMs' refs in a list, as XAPI
 * writes it. An import into an SR this host has not plugged is redirected to one that has.
 */
public final class XvaHttp extends Handler.Abstract {
    public enum Kind {
        EXPORT("/export", "GET", "http/get_export"),
        EXPORT_METADATA("/export_metadata", "GET", "http/get_export_metadata"),
        IMPORT("/import", "PUT", "http/put_import");

        private final HttpRequests.Route route;

        Kind(String path, String method, String permission) { this.route = new HttpRequests.Route(path, method, permission); }

        public String path() { return route.path(); }
    }

    private final Database db;
    private final Rpc rpc;
    private final DiskStreams streams;
    private final HttpCalls calls;
    private final Kind kind;

    private final Path staging;

    /** {@code staging}: where an OVA's files are staged ({@link #stagingIn}). */
    public XvaHttp(Database db, Rpc rpc, DiskStreams streams, HttpCalls calls, Kind kind, Path staging) {
        super(InvocationType.BLOCKING);
        this.staging = staging;
        this.db = db;
        this.rpc = rpc;
        this.streams = streams;
        this.calls = calls;
        this.kind = kind;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        return kind.route.serve(calls, request, response, callback, (r, task) -> {
            Rbac.require(db, Session.CLASS.ref(r.sessionId()), Access.VM_ADMIN, kind.route.permission());
            var as = new Calls(rpc, r.sessionId());
            response.getHeaders().put("Task-id", task.ref().value());
            if (kind == Kind.IMPORT) importInto(as, r, task, request, response, callback);
            else export(as, r, task, response, callback);
        });
    }

    private void export(Calls as, TunnelRequest r, HttpTask task, Response response, Callback callback) throws IOException {
        String vm = vmOf(as, r);
        Compression compression = switch (String.valueOf(r.param("use_compression")).toLowerCase(Locale.ROOT)) {
            case "true", "gzip" -> Compression.GZIP;
            case "zstd" -> Compression.ZSTD;
            case "false", "null", "" -> Compression.NONE;
            default -> throw new HttpRefusal(400, ApiError.of("VALUE_NOT_SUPPORTED", "use_compression", r.param("use_compression"),
                    "true (gzip), zstd or false"));
        };
        var export = new XvaExport(as, streams);
        XvaExport.Package p = export.describe(vm);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        // the body has no length: only its last chunk tells the client it is whole, so the sink is closed (and that
        // chunk sent) only once the package is; a failure before aborts the response, and the client sees it cut
        OutputStream sink = Content.Sink.asOutputStream(response);
        try (OutputStream out = compression.wrap(new FilterOutputStream(sink) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

            @Override public void close() throws IOException { flush(); }
        })) {
            export.write(p, kind == Kind.EXPORT_METADATA, out, task);
        }
        sink.close();
        callback.succeeded();
    }

    private enum Compression {
        NONE, GZIP, ZSTD;

        OutputStream wrap(OutputStream sink) throws IOException {
            return switch (this) {
                case NONE -> sink;
                case GZIP -> new GZIPOutputStream(sink, 1 << 16);
                case ZSTD -> Zstd.compressing(sink);
            };
        }
    }

    /** What a full restore sets in the database, as XAPI's import, and no constructor takes: uuids and a VM's version. */
    private final XvaImport.Identity identity = new XvaImport.Identity() {
        @Override
        public void keep(String vm, String uuid, long version) {
            Ref<VM> ref = VM.CLASS.ref(vm);
            db.write(tx -> {
                tx.set(ref, VM.uuid, uuid);
                tx.set(ref, VM.version, version);
            });
        }

        @Override
        public void keepVtpm(String vtpm, String uuid) { db.write(tx -> tx.set(VTPM.CLASS.ref(vtpm), VTPM.uuid, uuid)); }
    };

    /** The VM {@code ref=} or {@code uuid=} names, as XAPI's export handler takes either. */
    private static String vmOf(Calls as, TunnelRequest r) {
        String ref = r.param("ref");
        String uuid = r.param("uuid");
        try {
            if (ref != null && !ref.isEmpty()) {
                as.call("VM.get_uuid", ref);
                return ref;
            }
            if (uuid != null && !uuid.isEmpty()) return (String) as.call("VM.get_by_uuid", uuid);
        } catch (ApiError e) {
            throw new HttpRefusal(404, e);
        }
        throw new HttpRefusal(400, ApiError.of("IMPORT_ERROR", "an export needs uuid= or ref="));
    }

    /**
     * Where OVAs' files wait to be converted: the system property {@code flotilla.import-staging}, else
     * {@code import-staging} in the daemon's state directory (root's, on a disk, where /tmp may be a small tmpfs). Made
     * if missing; what a crash left there from an import under way is removed, as no import is under way yet.
     */
    public static Path stagingIn(Path stateDir) {
        Path dir = Path.of(System.getProperty("flotilla.import-staging", stateDir.resolve("import-staging").toString()));
        try {
            Files.createDirectories(dir);
            try (Stream<Path> left = Files.list(dir)) {
                left.filter(p -> p.getFileName().toString().startsWith(OvaImport.STAGING_PREFIX)).forEach(OvaImport::removeTree);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the import staging directory " + dir, e);
        }
        return dir;
    }

    /** Xen Orchestra's client sends a stream of unknown length as this many bytes, and cuts the connection at its end. */
    private static final long XO_UNKNOWN_LENGTH = 1L << 50;

    /**
     * Xen Orchestra's probe for a redirection, sent before the stream without its task and without a byte: an empty PUT,
     * or, for a stream of unknown length, one that declares its stand-in length and sends nothing. Answered at once.
     */
    private static boolean probe(TunnelRequest r, long declared) {
        return declared == 0 || (r.taskId() == null && declared == XO_UNKNOWN_LENGTH);
    }

    private void importInto(Calls as, TunnelRequest r, HttpTask task, Request request, Response response, Callback callback) throws IOException {
        String sr = r.param("sr_id");
        if (sr == null || sr.isEmpty()) {
            String pool = (String) ((List<?>) as.call("pool.get_all")).getFirst();
            sr = (String) as.call("pool.get_default_SR", pool);
        }
        try {
            as.call("SR.get_uuid", sr);
        } catch (ApiError e) {
            throw new HttpRefusal(404, e);
        }
        var elsewhere = streams.srElsewhere(SR.CLASS.ref(sr));
        if (elsewhere.isPresent()) {
            RawVdiHttp.redirect(request, response, callback, db.require(elsewhere.get()).get(Host.address));
            return;
        }
        if (probe(r, request.getLength())) {
            HttpRequests.text(response, callback, 200, "");
            return;
        }
        boolean restore = "true".equalsIgnoreCase(r.param("restore"));
        List<String> vms;
        var ova = new OvaImport(as, streams, label -> calls.subtask(task, label, r.sessionId()), staging);
        try (InputStream body = Content.Source.asInputStream(request)) {
            try {
                vms = new XvaImport(as, streams, identity, ova).run(body, sr, restore, task);
            } catch (ApiError e) {
                RawVdiHttp.drain(body);
                throw RawVdiHttp.refusal(e);
            }
        }
        task.success(vms);
        HttpRequests.text(response, callback, 200, "");
    }
}
