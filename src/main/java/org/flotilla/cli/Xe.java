package org.flotilla.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Rpc;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.XenApi;

/**
 * The xe command: {@code xe [global options] <command> [key=value ...] [--minimal] [--force]}. Logs in,
 * runs one command against the host's XenAPI, prints as XAPI's xe prints, exits 0 or 1.
 */
public final class Xe {
    static final String UNREACHABLE = "Unable to contact server. Please check server and port settings.";

    private final HostConnector connector;
    private final PrintStream out;
    private final PrintStream err;
    private final ClientEnd.Opener consoles;
    private final Login login;
    private final CommandTable table = Commands.TABLE;

    /** Built once: a host runs many commands with it, and it does not change. */
    private static final class Commands {
        static final CommandTable TABLE = new CommandTable(XenApi.model());
    }

    public Xe(HostConnector connector, PrintStream out, PrintStream err) {
        this(connector, out, err, ClientEnd.overHttp(System.in), Xe::login);
    }

    Xe(HostConnector connector, PrintStream out, PrintStream err, ClientEnd.Opener consoles, Login login) {
        this.connector = connector;
        this.out = out;
        this.err = err;
        this.consoles = consoles;
        this.login = login;
    }

    /** How a command gets its session: by the user's credentials, or from a host that already knows who asks. */
    @FunctionalInterface
    interface Login {
        XenApiSession open(Rpc rpc, GlobalOptions options, boolean hostAlone);
    }

    public static void main(String[] args) {
        String home = System.getProperty("user.home", "");
        int code = new Xe(HostConnector.XML_RPC, System.out, System.err)
                .run(List.of(args), System.getenv(), home.isEmpty() ? null : Path.of(home, ".xe"));
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command line; returns the exit code. {@code rcFile} is ~/.xe, or null for none. */
    public int run(List<String> args, Map<String, String> env, Path rcFile) {
        GlobalOptions options;
        try {
            options = GlobalOptions.read(args, env, rcFile);
        } catch (CliFailure f) {
            f.stderrLines().forEach(err::println);
            return f.exitCode();
        }
        return run(options);
    }

    /** Runs the command the options carry; returns the exit code. */
    int run(GlobalOptions options) {
        try {
            if (options.rest().isEmpty()) {
                err.println(Usage.TEXT);
                return 0;  // xe prints its usage and succeeds when given nothing to do
            }
            CommandLine line = CommandLine.parse(options.rest());
            Command command = table.find(line.name()).orElseThrow(() -> CliFailure.paramError("Unknown command", line.name()));
            for (String p : command.required()) line.required(p);
            var printer = new OutputPrinter(out, line.flag("minimal"));
            if (command.name().equals("help")) {
                printer.print(HelpCommand.help(table, line));
            } else {
                printer.print(execute(options, command, line));
            }
            printer.finish();
            return 0;
        } catch (CliFailure f) {
            f.stderrLines().forEach(err::println);
            return f.exitCode();
        } catch (Unreachable e) {
            err.println(UNREACHABLE);
            if (options.debug()) err.println(e.getCause());
            return 1;
        } catch (ApiError e) {
            errorLines(e).forEach(err::println);
            return 1;
        } catch (ClientEnd.OnClient e) {
            throw e;
        } catch (RuntimeException e) {
            err.println("Error: " + e.getMessage());
            if (options.debug()) e.printStackTrace(err);
            return 1;
        }
    }

    private Output execute(GlobalOptions options, Command command, CommandLine line) {
        Rpc rpc = connector.connect(options.server(), options.effectivePort(), options.tls());
        List<String> needed = table.messagesNeeded(command.name());
        if (!needed.isEmpty()) {
            CommandTable.checkSupported(command.name(), needed, (List<?>) reaching(() -> rpc.call("system.listMethods", new ArrayList<>())));
        }
        try (XenApiSession api = reaching(() -> login.open(rpc, options, PoolCommands.LOCAL_SESSION.contains(command.name())))) {
            return command.action().run(new CommandContext(api, table.classes(), consoles.open(options, out)), line);
        }
    }

    /** The host could not be reached at all: xe says so in one line, whatever the transport's reason. */
    private static final class Unreachable extends RuntimeException {
        Unreachable(Throwable cause) { super(cause.getMessage(), cause); }
    }

    /** The first call to a host tells whether it can be reached; the wire client reports that as an internal error. */
    private static <T> T reaching(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (java.io.UncheckedIOException e) {
            throw new Unreachable(e);
        } catch (ApiError e) {
            if (e.code().equals("INTERNAL_ERROR") && !e.params().isEmpty() && e.params().getFirst().startsWith("cannot reach ")) {
                throw new Unreachable(e);
            }
            throw e;
        }
    }

    static XenApiSession login(Rpc rpc, GlobalOptions options, boolean local) {
        try {
            return local ? XenApiSession.localLogin(rpc, options.username(), options.password())
                    : XenApiSession.login(rpc, options.username(), options.password());
        } catch (ApiError e) {
            if (!e.code().equals("SESSION_AUTHENTICATION_FAILED")) throw e;
            // xe tells a missing user name from a wrong one (exception_handler in xapi_cli.ml)
            throw CliFailure.paramError("", options.username().isEmpty() ? "Username/password must be specified" : "Authentication failed");
        }
    }

    private static List<String> errorLines(ApiError e) {
        if (e.code().equals("MESSAGE_METHOD_UNKNOWN")) {
            return List.of("Error: this server does not support " + (e.params().isEmpty() ? "that call" : e.params().getFirst()));
        }
        return ErrorReport.lines(e.code(), e.params());
    }
}
