package org.flotilla.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.VM;

/**
 * Every class xe can list and edit, derived from the model: each stored, listable class becomes one xe
 * class. What the model cannot say — which fields a listing shows by default, and the template and
 * snapshot views of VM — comes from the table below, copied from gen_cmds in cli_operations.ml.
 */
final class CliClasses {
    /** Default <class>-list columns by xe class name; a class not here shows uuid and its name fields. */
    private static final Map<String, List<String>> DEFAULT_LIST_PARAMS = Map.ofEntries(
            Map.entry("pool", List.of("uuid", "name-label", "name-description", "master", "default-SR")),
            Map.entry("pif", List.of("uuid", "device", "VLAN", "MAC", "network-uuid", "currently-attached", "host-uuid")),
            Map.entry("bond", List.of("uuid", "master", "slaves")),
            Map.entry("vlan", List.of("uuid", "tagged-PIF", "untagged-PIF", "tag")),
            Map.entry("tunnel", List.of("uuid", "transport-PIF", "access-PIF", "status")),
            Map.entry("vif", List.of("uuid", "device", "vm-uuid", "network-uuid")),
            Map.entry("network", List.of("uuid", "name-label", "name-description", "bridge")),
            Map.entry("console", List.of("uuid", "vm-uuid", "vm-name-label", "protocol", "location")),
            Map.entry("vm", List.of("uuid", "name-label", "power-state")),
            Map.entry("template", List.of("uuid", "name-label", "name-description")),
            Map.entry("snapshot", List.of("uuid", "name-label", "name-description", "snapshot-of", "snapshot-time", "is-vmss-snapshot")),
            Map.entry("host", List.of("uuid", "name-label", "name-description")),
            Map.entry("host-cpu", List.of("uuid", "number", "vendor", "speed", "utilisation")),
            Map.entry("host-crashdump", List.of("uuid", "host", "timestamp", "size")),
            Map.entry("vdi", List.of("uuid", "name-label", "name-description", "virtual-size", "read-only", "sharable", "sr-uuid")),
            Map.entry("vbd", List.of("uuid", "vm-uuid", "vm-name-label", "vdi-uuid", "device", "empty")),
            Map.entry("sr", List.of("uuid", "name-label", "name-description", "host", "type", "content-type")),
            Map.entry("sm", List.of("uuid", "type", "name-label", "name-description", "vendor", "copyright", "configuration")),
            Map.entry("pbd", List.of("uuid", "host-uuid", "sr-uuid", "device-config", "currently-attached")),
            Map.entry("vtpm", List.of("uuid", "vm-uuid", "profile")),
            Map.entry("message", List.of()),
            Map.entry("task", List.of("uuid", "name-label", "name-description", "status", "progress")),
            Map.entry("subject", List.of("uuid", "subject-identifier", "other-config", "roles")),
            Map.entry("role", List.of("uuid", "name", "description", "subroles")),
            Map.entry("vmss", List.of("uuid", "name-label", "name-description", "enabled", "type", "retained-snapshots",
                    "frequency", "schedule", "last-run-time", "VMs")),
            Map.entry("gpu-group", List.of("uuid", "name-label", "name-description")),
            Map.entry("usb-group", List.of("uuid", "name-label", "name-description")),
            Map.entry("sdn-controller", List.of("uuid", "protocol", "address", "port")));

    private final Map<String, CliClass> byName = new LinkedHashMap<>();
    private final Model model;

    CliClasses(Model model) {
        this.model = model;
        for (ClassDef c : model.classes()) {
            if (!c.stored() || !c.listable()) continue;
            String name = XeNames.ofClass(c.name());
            if (c.name().equals(VM.CLASS.name())) {
                add(name, c, Map.of("is-a-template", "false"));
                add("template", c, Map.of("is-a-template", "true", "is-a-snapshot", "false"));
                add("snapshot", c, Map.of("is-a-snapshot", "true"));
            } else {
                add(name, c, Map.of());
            }
        }
    }

    private void add(String name, ClassDef c, Map<String, String> filters) {
        byName.put(name, CliClass.of(name, c, model, DEFAULT_LIST_PARAMS.getOrDefault(name, fallbackParams(c)), filters));
    }

    /** Without a listing of its own in xe, a class shows what identifies it: uuid and its names. */
    private static List<String> fallbackParams(ClassDef c) {
        List<String> params = new ArrayList<>(List.of("uuid"));
        if (c.hasField("name_label")) params.add("name-label");
        if (c.hasField("name_description")) params.add("name-description");
        return params;
    }

    Optional<CliClass> byName(String xeName) { return Optional.ofNullable(byName.get(xeName)); }

    List<CliClass> all() { return List.copyOf(byName.values()); }

    /** The xe class backing a datamodel class directly (VM → vm, not template). */
    Optional<CliClass> forModelClass(String className) { return byName(XeNames.ofClass(className)); }
}
