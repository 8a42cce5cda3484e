package org.flotilla.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where xe connects and as whom, read as newcli.ml does: ~/.xe first (server=, username=, password=, port=
 * lines), then the XE_EXTRA_ARGS environment variable (comma-separated, "\," for a comma), then the
 * command line (-s, -p, -u, -pw, -pwf, --nossl, --debug, or the same keys as key=value); later wins.
 * Everything else is the command and its parameters.
 */
record GlobalOptions(String server, Integer port, String username, String password, boolean tls, boolean debug,
                     List<String> rest, boolean serverGiven) {

    static final GlobalOptions DEFAULTS = new GlobalOptions("127.0.0.1", null, "root", "null", true, false, List.of(), false);

    /** The options a host runs a remote xe's command with: who asks, and the command. */
    static GlobalOptions forCommand(String username, String password, boolean debug, List<String> rest) {
        return new GlobalOptions("", null, username, password, true, debug, rest, true);
    }

    int effectivePort() { return port != null ? port : tls ? 443 : 80; }

    GlobalOptions withRest(List<String> words) { return new GlobalOptions(server, port, username, password, tls, debug, words, serverGiven); }

    static GlobalOptions read(List<String> args, Map<String, String> env, Path rcFile) {
        var b = new Builder();
        List<String> rest = new ArrayList<>();
        for (String line : rcLines(rcFile)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !b.set(line.substring(0, eq), line.substring(eq + 1))) rest.add(line);
        }
        List<String> extraRest = b.process(splitExtraArgs(env.getOrDefault("XE_EXTRA_ARGS", "")));
        boolean help = args.contains("-help") || args.contains("--help");
        List<String> argRest = b.process(args.stream().filter(a -> !a.equals("-help") && !a.equals("--help")).toList());
        if (help) throw CliFailure.usage();
        if (b.passwordFile != null) b.readPasswordFile();
        // as newcli.ml assembles them: the command line's own words first, then the extras, then the rc file's
        List<String> all = new ArrayList<>(argRest);
        all.addAll(extraRest);
        all.addAll(rest);
        return new GlobalOptions(b.server, b.port, b.username, b.password, b.tls, b.debug, all, b.serverGiven);
    }

    private static List<String> rcLines(Path rcFile) {
        if (rcFile == null || !Files.isRegularFile(rcFile)) return List.of();
        try {
            return Files.readAllLines(rcFile).stream().filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** XE_EXTRA_ARGS: comma-separated, a backslash protects a comma. */
    static List<String> splitExtraArgs(String extra) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < extra.length(); i++) {
            char c = extra.charAt(i);
            if (c == '\\' && i + 1 < extra.length() && extra.charAt(i + 1) == ',') {
                cur.append(',');
                i++;
            } else if (c == ',') {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }

    private static final class Builder {
        String server = DEFAULTS.server();
        boolean serverGiven;
        Integer port;
        String username = DEFAULTS.username();
        String password = DEFAULTS.password();
        String passwordFile;
        boolean tls = true;
        boolean debug;

        boolean set(String key, String value) {
            switch (key) {
                case "server" -> {
                    server = value;
                    serverGiven = true;
                }
                case "port" -> port = parsePort(value);
                case "username" -> username = value;
                case "password" -> password = value;
                case "passwordfile" -> passwordFile = value;
                case "nossl" -> tls = !"true".equals(value);
                case "debug" -> debug = "true".equals(value);
                default -> { return false; }
            }
            return true;
        }

        List<String> process(List<String> args) {
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                String key = switch (a) {
                    case "-s", "-h" -> "server";
                    case "-p" -> "port";
                    case "-u" -> "username";
                    case "-pw" -> "password";
                    case "-pwf" -> "passwordfile";
                    default -> null;
                };
                if (key != null && i + 1 < args.size()) {
                    set(key, args.get(++i));
                } else if (a.equals("--nossl")) {
                    tls = false;
                } else if (a.equals("--debug")) {
                    debug = true;
                } else {
                    int eq = a.indexOf('=');
                    if (eq < 0 || !set(a.substring(0, eq), a.substring(eq + 1))) rest.add(a);
                }
            }
            return rest;
        }

        private static int parsePort(String value) {
            try {
                int p = Integer.parseInt(value.trim());
                if (p >= 0 && p <= 65535) return p;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new CliFailure(List.of("Port number must be an integer (0-65535)", Usage.TEXT), 1);
        }

        /** The password file holds the user name on its first line and the password on its second. */
        void readPasswordFile() {
            try {
                List<String> lines = Files.readAllLines(Path.of(passwordFile));
                if (lines.size() < 2) {
                    throw CliFailure.error("password file format: expecting username on the first line, password on the second line");
                }
                username = lines.get(0);
                password = lines.get(1);
            } catch (IOException e) {
                throw new CliFailure(List.of("Error opening password file '" + passwordFile + "'"), 1);
            }
        }
    }
}
