package org.flotilla.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The run bin/xe records once to build xe's ahead-of-time cache (the JDK's AOT cache: classes loaded and linked before
 * main): the thin client's whole path, global options to the host's reply, with a command that changes nothing
 * ("help") against the host the user's own first command names; and, when that command named no server (it went by
 * this host's socket, or to a port xe cannot guess), by HTTPS to a {@link TrainingHost} on the loopback, so that later
 * commands with -s find their path in the cache too. Its output goes nowhere.
 */
public final class XeTraining {
    private XeTraining() {}

    public static void main(String[] args) {
        String home = System.getProperty("user.home", "");
        var nowhere = new PrintStream(OutputStream.nullOutputStream());
        XeClient.useOnlyTheProvidersTlsNeeds();
        try {
            GlobalOptions options = GlobalOptions.read(List.of(args), System.getenv(), home.isEmpty() ? null : Path.of(home, ".xe"));
            GlobalOptions help = options.withRest(List.of("help"));
            XeClient.send(help, System.getenv(), new LocalTerminal(System.in, nowhere), nowhere, nowhere, handOver -> 0);
            if (!options.serverGiven()) {
                try (var host = TrainingHost.start()) {
                    // not the user's credentials: the stand-in host takes anything
                    var loopback = new GlobalOptions("127.0.0.1", host.port(), "xe", "training", true, false, help.rest(), true);
                    XeClient.remote(loopback, nowhere, nowhere, handOver -> 0);
                }
            }
        } catch (Exception e) {
            // a cache from a run that went less far is still a cache
        }
    }
}
