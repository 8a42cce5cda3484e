package org.flotilla.os;

import java.io.IOException;

/** A failed system call, with its errno (0 when the failure is the daemon's own check, not the kernel's). */
public final class OsException extends IOException {
    private final int errno;

    public OsException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() { return errno; }
}
