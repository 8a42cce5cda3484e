package org.flotilla.server;

import java.io.IOException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reads a request body whole, but never more than a bound: a declared length over it is refused before reading. */
public final class RequestBodies {
    private RequestBodies() {}

    public static final class TooLarge extends Exception {
        TooLarge() { super(null, null, false, false); }
    }

    public static byte[] readAtMost(Request request, int limit) throws IOException, TooLarge {
        long declared = request.getLength();
        if (declared > limit) throw new TooLarge();
        // chunked bodies declare nothing: read one byte past the bound to know it was crossed
        // not closed: closing would fail the request's content, which Jetty finishes itself
        var body = Content.Source.asInputStream(request).readNBytes(limit + 1);
        if (body.length > limit) throw new TooLarge();
        return body;
    }
}
