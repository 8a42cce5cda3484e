package org.flotilla.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The run bin/xe records once to build xe's ahead-of-time cache (the JDK's AOT cache: classes loaded and linked before
 * main): the thin client's whole path, global options to the host's reply, by this host's socket and by HTTPS, with a
 * command that changes nothing ("help") against the host the user's own first command names. Its output goes nowhere.
 */
public final class XeTraining {
    private XeTraining() {}

    public static void main(String[] args) {
        String home = System.getProperty("user.home", "");
        var nowhere = new PrintStream(OutputStream.nullOutputStream());
        try {
            GlobalOptions options = GlobalOptions.read(List.of(args), System.getenv(), home.isEmpty() ? null : Path.of(home, ".xe"));
            GlobalOptions help = options.withRest(List.of("help"));
            XeClient.send(help, System.getenv(), new LocalTerminal(System.in, nowhere), nowhere, nowhere, () -> 0);
            // and HTTPS, should the first command have gone by this host's socket: later ones may name a server
            if (!options.serverGiven()) XeClient.remote(help, nowhere, nowhere, () -> 0);
        } catch (RuntimeException e) {
            // a cache from a run that went less far is still a cache
        }
    }
}
