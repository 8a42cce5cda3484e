package org.flotilla.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command and its parameters as xe parses them (parse_params_2 in cli_frontend.ml): "key=value";
 * "--flag" is flag=true; "-x value" is a switch with an argument. The first occurrence of a key wins,
 * as XAPI looks parameters up with List.assoc.
 */
record CommandLine(String name, Map<String, String> params) {
    /** Parameters every command takes, never filters nor fields (stdparams in cli_operations.ml). */
    static final List<String> STANDARD_PARAMS =
            List.of("server", "password", "port", "username", "minimal", "force", "multiple", "all", "message-priority", "trace");

    CommandLine {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    static CommandLine parse(List<String> args) {
        if (args.isEmpty()) throw CliFailure.usage();
        String name = args.getFirst();
        if (name.contains("=")) throw CliFailure.paramError("Syntax error", "command name is missing");
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                params.putIfAbsent(arg.substring(2), "true");
            } else if (arg.startsWith("-")) {
                if (i + 1 >= args.size()) throw CliFailure.paramError("Syntax error", "Switch " + arg + " requires a parameter");
                params.putIfAbsent(arg.substring(1), args.get(++i));
            } else {
                int eq = arg.indexOf('=');
                if (eq < 0) params.putIfAbsent(arg, "");
                else params.putIfAbsent(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }
        return new CommandLine(name, params);
    }

    String get(String key) { return params.get(key); }

    boolean has(String key) { return params.containsKey(key); }

    /** xe reads booleans with bool_of_string: only "true" is true. */
    boolean flag(String key) { return "true".equals(params.get(key)); }

    String required(String key) {
        String v = params.get(key);
        if (v == null) throw CliFailure.paramError("Required parameter not found", key);
        return v;
    }
}
