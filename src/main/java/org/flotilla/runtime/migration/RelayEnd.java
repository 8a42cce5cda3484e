package org.flotilla.runtime.migration;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/** One end of a relayed connection: QEMU's unix socket, or the TLS connection between the daemons. */
interface RelayEnd extends ByteChannel {
    /** Ends what this end sends (the other side reads its end) while it may still read. */
    void shutdownOutput() throws IOException;

    static RelayEnd of(SocketChannel c) {
        return new RelayEnd() {
            @Override public int read(ByteBuffer dst) throws IOException { return c.read(dst); }

            @Override public int write(ByteBuffer src) throws IOException { return c.write(src); }

            @Override public boolean isOpen() { return c.isOpen(); }

            @Override public void close() throws IOException { c.close(); }

            @Override public void shutdownOutput() throws IOException { c.shutdownOutput(); }
        };
    }
}
