package org.flotilla.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ErrorDef;
import org.flotilla.model.xenapi.XenApi;

/**
 * A XenAPI error as xe prints it (Cli_util.server_error): the error's description, then one
 * "name: value" line per parameter. An error without a description prints as newcli.ml does for codes
 * the CLI server does not know: "Error code: ..." and "Error parameters: ...".
 */
final class ErrorReport {
    private ErrorReport() {}

    /** Descriptions from XAPI's datamodel_errors.ml, for the errors an administrator meets most. */
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("UUID_INVALID", "The uuid you supplied was invalid."),
            Map.entry("HANDLE_INVALID", "You gave an invalid object reference. The object may have recently been deleted. "
                    + "The class parameter gives the type of reference given, and the handle parameter echoes the bad value given."),
            Map.entry("INTERNAL_ERROR", "The server failed to handle your request, due to an internal error. "
                    + "The given message may give details useful for debugging the problem."),
            Map.entry("MESSAGE_METHOD_UNKNOWN", "You tried to call a method that does not exist. The method name that you used is echoed."),
            Map.entry("VM_BAD_POWER_STATE", "You attempted an operation on a VM that was not in an appropriate power state at the time; "
                    + "for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, "
                    + "and the expected and actual VM state at the time of the call."),
            Map.entry("MAP_DUPLICATE_KEY", "You tried to add a key-value pair to a map, but that key is already there."),
            Map.entry("FIELD_TYPE_ERROR", "The value specified is of the wrong type"),
            Map.entry("OPERATION_NOT_ALLOWED", "You attempted an operation that was not allowed."),
            Map.entry("PERMISSION_DENIED", "Caller not allowed to perform this operation."),
            Map.entry("VM_IS_TEMPLATE", "The operation attempted is not valid for a template VM"),
            Map.entry("NO_HOSTS_AVAILABLE", "There were no servers available to complete the specified operation."),
            Map.entry("SR_BACKEND_FAILURE", "There was an SR backend failure."),
            Map.entry("VDI_IN_USE", "This operation cannot be performed because this VDI is in use by some other operation"),
            Map.entry("INVALID_VALUE", "The value given is invalid"),
            Map.entry("VALUE_NOT_SUPPORTED", "You attempted to set a value that is not supported by this implementation. "
                    + "The fully-qualified field name and the value that you tried to set are returned. "
                    + "Also returned is a developer-only diagnostic reason."));

    static List<String> lines(String code, List<String> params) {
        String description = DESCRIPTIONS.get(code);
        if (description == null) {
            return List.of("Error code: " + code, "Error parameters: " + String.join(", ", params));
        }
        List<String> names = XenApi.model().error(code).map(ErrorDef::params).orElse(List.of());
        List<String> out = new ArrayList<>();
        out.add(description);
        int n = Math.max(names.size(), params.size());
        for (int i = 0; i < n; i++) {
            String name = i < names.size() ? names.get(i) : "<extra>";
            String value = i < params.size() ? params.get(i) : "<unknown>";
            out.add(name + ": " + value);
        }
        return out;
    }
}
