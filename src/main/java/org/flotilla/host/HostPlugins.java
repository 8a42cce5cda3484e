package org.flotilla.host;

import java.util.Map;
import org.flotilla.model.ApiError;

/** The host plugins clients call (host.call_plugin): only those web clients ask for, answered here. */
public final class HostPlugins {
    private HostPlugins() {}

    public static String call(String plugin, String fn, Map<String, String> args) {
        return switch (plugin) {
            // Web clients ask the updater plugin for pending updates; Flotilla updates through its packages.
            case "updater.py" -> switch (fn) {
                case "check_update", "get_updates" -> "[]";
                default -> throw ApiError.of("XENAPI_PLUGIN_FAILURE", "failure", "", "no such function: " + fn);
            };
            default -> throw ApiError.of("XENAPI_MISSING_PLUGIN", plugin);
        };
    }
}
