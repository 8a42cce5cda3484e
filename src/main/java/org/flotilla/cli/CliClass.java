package org.flotilla.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Model;

/**
 * A class as xe presents it: the xe name ("vm", "host-cpu"), the datamodel class behind it, the fields its
 * records show in order, the model fields they leave out or rename (still found by their own names, so
 * "vbd-param-get param-name=VM" goes on working) and every reference's "x-uuid" / "x-name-label", the fields &lt;class&gt;-list shows by default and the
 * filters it always applies (vm-list hides templates, template-list shows only them: one datamodel class can
 * back several xe classes).
 */
record CliClass(String name, ClassDef def, List<CliField> fields, List<CliField> aliases, List<String> defaultListParams,
                Map<String, String> defaultFilters) {

    CliClass {
        fields = List.copyOf(fields);
        aliases = List.copyOf(aliases);
        defaultListParams = List.copyOf(defaultListParams);
        defaultFilters = Map.copyOf(defaultFilters);
    }

    static CliClass of(String name, ClassDef def, Model model, List<String> defaultListParams, Map<String, String> defaultFilters) {
        List<CliField> own = def.fields().values().stream().map(f -> CliField.of(def, f)).toList();
        List<CliField> fields = RecordLayouts.of(name, def, model).orElse(own);
        List<CliField> aliases = new ArrayList<>();
        for (CliField f : own) if (fields.stream().noneMatch(shown -> shown.name().equals(f.name()))) aliases.add(f);
        for (CliField f : RecordLayouts.referenceFields(def, model)) {
            if (fields.stream().noneMatch(shown -> shown.name().equalsIgnoreCase(f.name()))) aliases.add(f);
        }
        return new CliClass(name, def, fields, aliases, defaultListParams, defaultFilters);
    }

    /** Every field a command line may name: the ones shown, then the model's own names. */
    List<CliField> known() {
        List<CliField> all = new ArrayList<>(fields);
        all.addAll(aliases);
        return all;
    }

    /** xe looks fields up by exact name; we also forgive case, since "vcpus-max" has only one meaning. */
    Optional<CliField> field(String xeName) {
        for (CliField f : known()) if (f.name().equals(xeName)) return Optional.of(f);
        for (CliField f : known()) if (f.name().equalsIgnoreCase(xeName)) return Optional.of(f);
        return Optional.empty();
    }

    /** "VMs" for the help texts, "patches" for patch, as gen_frontend pluralises. */
    String plural() { return name.equals("patch") ? "patches" : name + "s"; }
}
