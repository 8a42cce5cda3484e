package org.flotilla.qemu;

import java.io.IOException;

/** A QMP connection failed, closed (QEMU exited or was killed), or a command timed out. */
public class QmpException extends IOException {
    private static final long serialVersionUID = 1L;

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
