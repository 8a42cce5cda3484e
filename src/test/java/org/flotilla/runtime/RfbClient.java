package org.flotilla.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The client side of RFB 3.8 (RFC 6143), as far as a test needs it: version and security type None, ClientInit,
 * ServerInit, one FramebufferUpdateRequest and the update that answers it. Fails on anything unexpected.
 */
final class RfbClient {
    record ServerInit(int width, int height, int bitsPerPixel, String name) {}

    record Rectangle(int x, int y, int width, int height, int encoding) {}

    private final DataInputStream in;
    private final OutputStream out;
    String banner;

    RfbClient(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = out;
    }

    ServerInit handshake() throws IOException {
        banner = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
        assertTrue(banner.matches("RFB 003\\.00[378]\n"), "RFB banner: " + banner);
        send("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        int count = in.readUnsignedByte();
        assertTrue(count > 0, "the server offers security types");
        byte[] types = in.readNBytes(count);
        assertTrue(new String(types, StandardCharsets.ISO_8859_1).indexOf(1) >= 0, "security type None offered");
        send(new byte[] {1});
        assertEquals(0, in.readInt(), "SecurityResult OK");
        send(new byte[] {1}); // ClientInit: shared, as noVNC and XenCenter ask
        int width = in.readUnsignedShort();
        int height = in.readUnsignedShort();
        byte[] pixelFormat = in.readNBytes(16);
        String name = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        return new ServerInit(width, height, pixelFormat[0] & 0xff, name);
    }

    /** Asks for the whole screen and reads the FramebufferUpdate answering it (raw pixels included). */
    Rectangle wholeScreen(ServerInit init) throws IOException {
        send(ByteBuffer.allocate(10).put((byte) 3).put((byte) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) init.width()).putShort((short) init.height()).array());
        while (true) {
            int type = in.readUnsignedByte();
            if (type == 2) continue; // Bell
            assertEquals(0, type, "a FramebufferUpdate");
            in.readUnsignedByte();
            int rectangles = in.readUnsignedShort();
            assertTrue(rectangles > 0, "at least one rectangle");
            Rectangle first = null;
            for (int i = 0; i < rectangles; i++) {
                var r = new Rectangle(in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(), in.readInt());
                assertEquals(0, r.encoding(), "raw encoding: no other was asked for");
                in.readFully(new byte[r.width() * r.height() * (init.bitsPerPixel() / 8)]);
                if (first == null) first = r;
            }
            return first;
        }
    }

    private void send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }
}
