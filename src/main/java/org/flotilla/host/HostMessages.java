package org.flotilla.host;

import org.flotilla.api.Handlers;
import org.flotilla.model.ApiError;

/** Messages about the host itself. */
public final class HostMessages {
    private HostMessages() {}

    public static void register(Handlers h) {
        h.on("host", "call_plugin", c -> switch (c.string("plugin")) {
            // Web clients ask the updater plugin for pending updates; Flotilla updates through its packages.
            case "updater.py" -> switch (c.string("fn")) {
                case "check_update", "get_updates" -> "[]";
                default -> throw ApiError.of("XENAPI_PLUGIN_FAILURE", "failure", "", "no such function: " + c.string("fn"));
            };
            default -> throw ApiError.of("XENAPI_MISSING_PLUGIN", c.string("plugin"));
        });
    }
}
