package org.flotilla.daemon;

import java.net.BindException;

/** Why the daemon could not start, in one line an administrator can act on. */
final class StartFailure {
    private StartFailure() {}

    static String explain(Throwable e, int port) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "port " + port + " is already in use by another program: stop it, or choose a free port "
                        + "(FLOTILLA_PORT=<port> scripts/setup.sh, or serve --port <port>)";
            }
            if (t instanceof java.nio.file.AccessDeniedException a) {
                return "permission denied on " + a.getFile() + ": the daemon runs as root";
            }
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return "cannot start: " + (root.getMessage() == null ? root.toString() : root.getMessage());
    }
}
