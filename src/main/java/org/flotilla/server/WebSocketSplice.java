package org.flotilla.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.flotilla.api.TunnelOutcome;

/** One WebSocket joined to an upstream socket: binary frames carry the bytes, whatever their fragmentation. */
final class WebSocketSplice implements FrameHandler {
    private volatile CoreSession session;
    private final Splice splice;

    WebSocketSplice(TunnelOutcome.Opened opened) {
        splice = new Splice(opened, new Splice.Downstream() {
            @Override
            public void send(ByteBuffer bytes) throws Exception {
                var sent = new FutureCallback();
                session.sendFrame(new Frame(OpCode.BINARY, bytes), sent, false);
                sent.get();
            }

            @Override
            public void close() {
                // null when the socket closed before it opened
                if (session != null) session.close(CloseStatus.NORMAL, "the console closed", Callback.NOOP);
            }
        });
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        callback.succeeded(); // the session is open only once this completes: frames may be sent from then on
        splice.start("websocket upstream " + coreSession.getRemoteAddress());
        session.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        try {
            switch (frame.getOpCode()) {
                case OpCode.BINARY, OpCode.CONTINUATION -> {
                    if (frame.hasPayload()) splice.toUpstream(frame.getPayload());
                }
                case OpCode.TEXT -> throw new IOException("the console takes binary frames only");
                case OpCode.PING -> session.sendFrame(new Frame(OpCode.PONG).setPayload(copy(frame.getPayload())), Callback.NOOP, false);
                case OpCode.CLOSE -> {
                    callback.succeeded(); // the session answers the close itself; no more frames are wanted
                    return;
                }
                default -> { }
            }
        } catch (IOException e) {
            callback.failed(e);
            splice.close();
            return;
        }
        callback.succeeded();
        session.demand();
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        splice.close();
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        splice.close();
        callback.succeeded();
    }

    private static ByteBuffer copy(ByteBuffer b) {
        if (b == null) return ByteBuffer.allocate(0);
        var c = ByteBuffer.allocate(b.remaining()).put(b.duplicate());
        return c.flip();
    }
}
