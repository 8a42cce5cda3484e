package org.flotilla.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.FutureCallback;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;

/**
 * One {@code CONNECT /console?... HTTP/1.x} request, served as XAPI serves it: the head is read (the session may
 * come as {@code session_id=} in the target or in a {@code Cookie} header), then either a refusal with its status
 * and the connection closed, or {@code HTTP/1.1 200 OK} and from then on raw bytes both ways until either side
 * ends. The tunnel is carried by virtual threads that block on the endpoint.
 */
final class ConnectTunnelConnection extends AbstractConnection implements Connection.UpgradeTo {
    private static final int MAX_HEAD = 16 * 1024;
    private static final byte[] END_OF_HEAD = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private final TunnelTargets targets;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile boolean headRead;

    ConnectTunnelConnection(EndPoint endPoint, Executor executor, TunnelTargets targets) {
        super(endPoint, executor);
        this.targets = targets;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffered) {
        if (buffered != null) append(buffered);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        if (!serveIfHeadRead()) fillInterested();
    }

    @Override
    public void onFillable() {
        ByteBuffer buf = BufferUtil.allocate(4096);
        try {
            while (true) {
                int n = getEndPoint().fill(buf);
                if (n < 0) {
                    getEndPoint().close();
                    return;
                }
                if (n == 0) {
                    fillInterested();
                    return;
                }
                append(buf);
                if (serveIfHeadRead()) return;
                if (received.size() > MAX_HEAD) {
                    Thread.ofVirtual().start(() -> refuse(new TunnelOutcome.Refused(400, "request head too large")));
                    return;
                }
            }
        } catch (IOException e) {
            getEndPoint().close(e);
        }
    }

    /** A console may sit idle for long (a still screen, nobody typing): only a closed side ends the tunnel. */
    @Override
    public boolean onIdleExpired(TimeoutException timeout) { return !headRead; }

    private void append(ByteBuffer buf) {
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        received.writeBytes(bytes);
        BufferUtil.clear(buf);
    }

    private boolean serveIfHeadRead() {
        byte[] all = received.toByteArray();
        int end = indexOf(all, END_OF_HEAD);
        if (end < 0) return false;
        headRead = true;
        String head = new String(all, 0, end, StandardCharsets.ISO_8859_1);
        byte[] early = Arrays.copyOfRange(all, end + END_OF_HEAD.length, all.length);
        Thread.ofVirtual().name("connect " + getEndPoint().getRemoteSocketAddress()).start(() -> serve(head, early));
        return true;
    }

    private void serve(String head, byte[] early) {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[0].equals("CONNECT") || !requestLine[1].startsWith("/")
                || !requestLine[2].startsWith("HTTP/1.")) {
            refuse(new TunnelOutcome.Refused(400, "expected CONNECT /path HTTP/1.x"));
            return;
        }
        var cookies = new ArrayList<String>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).strip().equalsIgnoreCase("Cookie")) cookies.add(lines[i].substring(colon + 1));
        }
        var request = TunnelRequest.ofTarget(requestLine[1], String.join(";", cookies));
        switch (targets.open(request)) {
            case TunnelOutcome.Refused r -> refuse(r);
            case TunnelOutcome.Opened o -> carry(new Splice(o, new EndPointDownstream()), early);
        }
    }

    private void carry(Splice splice, byte[] early) {
        try {
            write(ByteBuffer.wrap(statusLine(200, "Connection: keep-alive")));
            splice.start("connect upstream " + getEndPoint().getRemoteSocketAddress());
            splice.toUpstream(ByteBuffer.wrap(early));
            ByteBuffer buf = BufferUtil.allocate(64 * 1024);
            while (true) {
                int n = getEndPoint().fill(buf);
                if (n < 0) break;
                if (n == 0) {
                    var readable = new FutureCallback();
                    getEndPoint().fillInterested(readable);
                    readable.get();
                    continue;
                }
                splice.toUpstream(buf);
                BufferUtil.clear(buf);
            }
        } catch (Exception e) {
            // the client or the console went away
        } finally {
            splice.close();
        }
    }

    private void refuse(TunnelOutcome.Refused r) {
        try {
            write(ByteBuffer.wrap(statusLine(r.status(), "Connection: close")));
        } catch (Exception e) {
            // the client is gone already
        } finally {
            getEndPoint().close();
        }
    }

    /** XAPI's reply shape (http.ml): always HTTP/1.1, no body. */
    private static byte[] statusLine(int status, String connection) {
        return ("HTTP/1.1 " + status + " " + HttpStatus.getMessage(status) + "\r\n" + connection
                + "\r\nCache-Control: no-cache, no-store\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private void write(ByteBuffer bytes) throws Exception {
        var written = new FutureCallback();
        getEndPoint().write(written, bytes);
        written.get();
    }

    /** The client's side of the tunnel: blocking writes to the endpoint. */
    private final class EndPointDownstream implements Splice.Downstream {
        @Override public void send(ByteBuffer bytes) throws Exception { write(bytes); }

        @Override public void close() { getEndPoint().close(); }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
