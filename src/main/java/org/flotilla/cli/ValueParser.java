package org.flotilla.cli;

import java.util.Locale;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Type;

/**
 * A value typed on the command line, made into what the API takes: numbers parsed, booleans strict,
 * enum values in their API spelling whatever the case typed, references given by uuid.
 */
final class ValueParser {
    private final XenApiSession api;

    ValueParser(XenApiSession api) { this.api = api; }

    Object parse(String fieldName, Type type, String text) {
        return switch (type) {
            case Type.Int i -> {
                try {
                    yield Long.parseLong(text.trim());
                } catch (NumberFormatException e) {
                    throw CliFailure.failure("Parameter " + fieldName + " must be an integer");
                }
            }
            case Type.Float f -> {
                try {
                    yield Double.parseDouble(text.trim());
                } catch (NumberFormatException e) {
                    throw CliFailure.failure("Parameter " + fieldName + " must be a floating-point number");
                }
            }
            case Type.Bool b -> switch (text) {
                case "true" -> true;
                case "false" -> false;
                default -> throw CliFailure.failure("Parameter " + fieldName + " must be a boolean (true or false)");
            };
            case Type.Enum e -> e.values().stream().filter(v -> v.equalsIgnoreCase(text)).findFirst().orElse(text);
            case Type.Ref r -> text.isEmpty() || text.equals(RefUuids.NOT_IN_DATABASE) ? ClassDef.NULL_REF
                    : api.refByUuid(r.className(), text);
            default -> text;
        };
    }

    /** Keys of maps are mostly strings; an enum-keyed map (blocked-operations) takes the API spelling. */
    Object parseKey(Type.Map map, String text) {
        return map.key() instanceof Type.Enum e
                ? e.values().stream().filter(v -> v.toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT))).findFirst().orElse(text)
                : text;
    }
}
