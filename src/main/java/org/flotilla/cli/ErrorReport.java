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
            Map.entry("UUID_INVALID", "No object of that class has this uuid."),
            Map.entry("HANDLE_INVALID", "The object reference is not valid: the object may have been removed since."),
            Map.entry("INTERNAL_ERROR", "The server could not complete the request because of an internal fault."),
            Map.entry("MESSAGE_METHOD_UNKNOWN", "The server has no such method."),
            Map.entry("VM_BAD_POWER_STATE", "The VM's power state does not allow this operation now."),
            Map.entry("MAP_DUPLICATE_KEY", "The map already has that key."),
            Map.entry("FIELD_TYPE_ERROR", "A value has the wrong type."),
            Map.entry("OPERATION_NOT_ALLOWED", "This operation is not allowed now."),
            Map.entry("PERMISSION_DENIED", "You may not do this."),
            Map.entry("VM_IS_TEMPLATE", "This cannot be done to a template."),
            Map.entry("NO_HOSTS_AVAILABLE", "No host can do this now."),
            Map.entry("SR_BACKEND_FAILURE", "The storage driver failed."),
            Map.entry("VDI_IN_USE", "The disk is in use."),
            Map.entry("INVALID_VALUE", "A value is not valid."),
            Map.entry("VALUE_NOT_SUPPORTED", "This value is not supported here."));

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
