package org.flotilla.os;

import java.util.List;

/**
 * A host tool (ip, qemu-img) run as a child process with an environment of its own: a fixed PATH and the C
 * locale, nothing of the daemon's — whatever secrets its environment held stay with it.
 */
public final class HostCommand {
    public static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

    private HostCommand() {}

    public static ProcessBuilder of(List<String> command) {
        var pb = new ProcessBuilder(command);
        var env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("LC_ALL", "C");
        return pb;
    }
}
