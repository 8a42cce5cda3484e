package org.flotilla.daemon;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.flotilla.model.ApiDocs;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.server.ApiServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The flotilla command: runs the daemon, or prints the API reference. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, subcommands = {Main.Serve.class, Main.Docs.class},
        description = "An open virtualization platform speaking the XenAPI.")
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "serve", description = "Run this host's daemon, serving the XenAPI over HTTPS.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--state-dir", required = true, description = "Where the database, certificate and disks live.")
        Path stateDir;

        @Option(names = "--port", defaultValue = "443", description = "HTTPS port (default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--bind", description = "Address to listen on (default: all).")
        String bind;

        @Option(names = "--plain-http-port", defaultValue = "-1",
                description = "Also serve plain HTTP on this port, for local testing only (default: off).")
        int plainHttpPort;

        @Option(names = "--pool-port", defaultValue = "" + Daemon.POOL_PORT,
                description = "Port this host serves the pool database on to the other members, once in a pool of several (default ${DEFAULT-VALUE}).")
        int poolPort;

        @Option(names = "--address", description = "The address clients reach this host at (default: the first non-loopback IPv4).")
        String address;

        @Option(names = "--allow-origin", paramLabel = "URL",
                description = "Let web pages from this origin (scheme://host[:port]) use the API and consoles, besides this host's own; repeatable.")
        List<String> allowedOrigins = new ArrayList<>();

        @Option(names = "--root-password-file",
                description = "Set root's password from this file (first line; - for standard input). Never from the environment, "
                        + "which every child process would inherit.")
        Path rootPasswordFile;

        @Override
        public Integer call() throws Exception {
            String password = rootPasswordFile == null ? null
                    : (rootPasswordFile.toString().equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(rootPasswordFile, StandardCharsets.UTF_8)).lines().findFirst().orElse("");
            var config = ApiServerConfig.defaults().withBindAddress(bind).withHttpsPort(port).withPlainHttpPort(plainHttpPort)
                    .withAllowedOrigins(Set.copyOf(allowedOrigins));
            Daemon daemon;
            try {
                daemon = Daemon.start(stateDir, config, password, address, org.flotilla.api.ApiLimits.defaults(), poolPort);
            } catch (RuntimeException e) {
                // one line that says what to do; the whole trace stays in the log for whoever digs deeper
                System.err.println("flotilla: " + StartFailure.explain(e, port));
                e.printStackTrace();
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "shutdown"));
            System.out.println("flotilla: serving the XenAPI on port " + daemon.httpsPort()
                    + (daemon.inEmergencyMode() ? " in emergency mode: no coordinator of the pool is reachable" : " (host " + daemon.node().hostRef() + ")"));
            daemon.join();
            return 0;
        }
    }

    @Command(name = "docs", description = "Print the API reference, generated from the datamodel, as Markdown.")
    static final class Docs implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.print(ApiDocs.markdown(XenApi.model()));
            return 0;
        }
    }
}
