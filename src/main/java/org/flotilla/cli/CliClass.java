package org.flotilla.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.model.ClassDef;

/**
 * A class as xe presents it: the xe name ("vm", "host-cpu"), the datamodel class behind it, the fields
 * <class>-list shows by default and the filters it always applies (vm-list hides templates, template-list
 * shows only them: one datamodel class can back several xe classes).
 */
record CliClass(String name, ClassDef def, List<CliField> fields, List<String> defaultListParams,
                Map<String, String> defaultFilters) {

    CliClass {
        fields = List.copyOf(fields);
        defaultListParams = List.copyOf(defaultListParams);
        defaultFilters = Map.copyOf(defaultFilters);
    }

    static CliClass of(String name, ClassDef def, List<String> defaultListParams, Map<String, String> defaultFilters) {
        List<CliField> fields = new ArrayList<>();
        for (var f : def.fields().values()) fields.add(CliField.of(def, f));
        return new CliClass(name, def, fields, defaultListParams, defaultFilters);
    }

    /** xe looks fields up by exact name; we also forgive case, since "vcpus-max" has only one meaning. */
    Optional<CliField> field(String xeName) {
        for (CliField f : fields) if (f.name().equals(xeName)) return Optional.of(f);
        for (CliField f : fields) if (f.name().equalsIgnoreCase(xeName)) return Optional.of(f);
        return Optional.empty();
    }

    /** "VMs" for the help texts, "patches" for patch, as gen_frontend pluralises. */
    String plural() { return name.equals("patch") ? "patches" : name + "s"; }
}
