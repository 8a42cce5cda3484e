package org.flotilla.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where a user meets a console both ways, as XAPI's xe joins the terminal to a console it connects to: what the console
 * prints is shown, what the user types goes to it, and Ctrl-] ends it.
 */
interface Terminal {
    /** The key that leaves a console, as in XAPI's xe (and telnet). */
    byte QUIT = 0x1d;

    /** Whether a person types here: a VM's console is then joined both ways, not only followed. */
    boolean interactive();

    /** Joins this terminal to {@code console} until either side ends it; the console is closed on return. */
    void attach(Link console) throws IOException;

    /** A console's two directions, and how to end both. */
    record Link(InputStream in, OutputStream out, Closeable closer) implements Closeable {
        @Override
        public void close() {
            try {
                closer.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /**
     * Copies {@code from} to {@code to} as it comes, until the end of {@code from}, a failure on either side, or (when
     * {@code quitKey}) the {@link #QUIT} key, which is not copied.
     */
    static void copy(InputStream from, OutputStream to, boolean quitKey) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = from.read(buf)) > 0; ) {
                int end = n;
                if (quitKey) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == QUIT) {
                            end = i;
                            break;
                        }
                    }
                }
                to.write(buf, 0, end);
                to.flush();
                if (end < n) return;
            }
        } catch (IOException e) {
            // either side has gone: the console ends
        }
    }
}
