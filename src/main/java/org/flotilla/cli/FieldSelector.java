package org.flotilla.cli;

import java.util.Comparator;
import java.util.Optional;

/**
 * Which field a command-line key names (get_field_type in cli_operations.ml): the field itself,
 * "map:key" / "set:contains" with a colon, or the old spelling "map-key" matched against the longest map
 * (then set) name it starts with.
 */
sealed interface FieldSelector {
    CliField field();

    record Whole(CliField field) implements FieldSelector {}

    record MapKey(CliField field, String key) implements FieldSelector {}

    record SetMember(CliField field, String word) implements FieldSelector {}

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
