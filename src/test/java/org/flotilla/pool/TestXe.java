package org.flotilla.pool;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.cli.HostConnector;
import org.flotilla.cli.Xe;

/** xe, as an administrator runs it against a test host (XML-RPC, root's password). */
final class TestXe {
    private TestXe() {}

    /** Runs {@code args} against {@code h}, printing to {@code out}; its exit code, and what it said on stderr if it failed. */
    static int run(TestHost h, OutputStream out, String... args) {
        var line = new ArrayList<>(List.of("-s", h.address(), "-u", "root", "-pw", h.password()));
        line.addAll(List.of(args));
        var err = new ByteArrayOutputStream();
        int code = new Xe(HostConnector.XML_RPC, new PrintStream(out), new PrintStream(err)).run(line, Map.of(), null);
        if (code != 0) System.out.println("xe " + String.join(" ", args) + ": " + err);
        return code;
    }
}
