package org.flotilla.cli;

import java.util.Comparator;
import java.util.Optional;
import org.flotilla.model.Type;

/**
 * Which field a command-line key names (get_field_type in cli_operations.ml): the field itself,
 * "map:key" / "set:contains" with a colon, the old spelling "map-key" matched against the longest map
 * (then set) name it starts with, or "ref-uuid" / "ref-name-label" for the object a reference field names —
 * the spelling xe's records use (vif-list vm-uuid=…, vdi-list sr-uuid=…).
 */
sealed interface FieldSelector {
    CliField field();

    record Whole(CliField field) implements FieldSelector {}

    record MapKey(CliField field, String key) implements FieldSelector {}

    record SetMember(CliField field, String word) implements FieldSelector {}

    /** The uuid ({@code nameLabel} false) or name-label of the object a reference field points at. */
    record Referenced(CliField field, String targetClass, boolean nameLabel) implements FieldSelector {}

    static FieldSelector of(CliClass cls, String key) {
        Optional<CliField> exact = cls.field(key);
        if (exact.isPresent()) return new Whole(exact.get());
        int colon = key.indexOf(':');
        if (colon >= 0) {
            String name = key.substring(0, colon);
            String rest = key.substring(colon + 1);
            CliField f = cls.field(name).orElseThrow(() -> CliFailure.failure("Unknown field '" + key + "'"));
            if (f.isSet()) return new SetMember(f, rest);
            if (f.isMap()) return new MapKey(f, rest);
            throw CliFailure.failure("Field '" + f.name() + "' is not a set or map");
        }
        for (String suffix : new String[] {"-uuid", "-name-label"}) {
            if (!key.endsWith(suffix)) continue;
            Optional<CliField> ref = cls.field(key.substring(0, key.length() - suffix.length()))
                    .filter(f -> f.remote() == null && f.field().type() instanceof Type.Ref);
            if (ref.isPresent()) {
                return new Referenced(ref.get(), ((Type.Ref) ref.get().field().type()).className(), suffix.equals("-name-label"));
            }
        }
        Comparator<CliField> longestFirst = Comparator.comparingInt((CliField f) -> f.name().length()).reversed();
        Optional<CliField> map = cls.known().stream().filter(CliField::isMap).sorted(longestFirst)
                .filter(f -> key.startsWith(f.name() + "-")).findFirst();
        if (map.isPresent()) return new MapKey(map.get(), key.substring(map.get().name().length() + 1));
        Optional<CliField> set = cls.known().stream().filter(CliField::isSet).sorted(longestFirst)
                .filter(f -> key.startsWith(f.name() + "-")).findFirst();
        if (set.isPresent()) return new SetMember(set.get(), key.substring(set.get().name().length() + 1));
        throw CliFailure.failure("Unknown field '" + key + "'");
    }
}
