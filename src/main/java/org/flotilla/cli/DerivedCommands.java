package org.flotilla.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Type;

/**
 * The commands every class gets from the model alone (make_param_funs in cli_operations.ml):
 * &lt;class&gt;-list, -param-list, -param-get, -param-set, -param-add, -param-remove, -param-clear.
 */
final class DerivedCommands {
    private DerivedCommands() {}

    static List<Command> of(CliClass cls) {
        String n = cls.name();
        List<String> allNames = cls.fields().stream().map(CliField::name).toList();
        List<String> settable = new ArrayList<>();
        cls.fields().stream().filter(f -> f.writable() && !f.isSet() && !f.isMap()).forEach(f -> settable.add(f.name()));
        cls.fields().stream().filter(f -> f.writable() && f.isMap()).forEach(f -> settable.add(f.name() + ":"));
        List<String> addable = cls.fields().stream().filter(f -> f.writable() && (f.isSet() || f.isMap())).map(CliField::name).toList();
        List<String> clearable = cls.fields().stream().filter(f -> f.writable() || f.isSet() || f.isMap()).map(CliField::name).toList();
        List<String> setFilters = cls.fields().stream().filter(CliField::isSet).map(f -> f.name() + ":contains").toList();

        List<Command> out = new ArrayList<>();
        if (!settable.isEmpty()) {
            out.add(new Command(n + "-param-set", List.of("uuid"), settable,
                    "Change fields: field=value, or map-field:key=value for one key of a map; an empty value clears.",
                    false, (ctx, line) -> paramSet(ctx, cls, line)));
        }
        List<String> listOptional = new ArrayList<>(List.of("params"));
        listOptional.addAll(allNames);
        listOptional.addAll(setFilters);
        out.add(new Command(n + "-list", List.of(), listOptional,
                "Show the " + cls.plural() + ", only those matching any field=value given (map-field:key=value for a map); "
                        + "params= picks the fields shown",
                n.equals("vm") || n.equals("network") || n.equals("sr"), (ctx, line) -> list(ctx, cls, line)));
        out.add(new Command(n + "-param-list", List.of("uuid"), List.of(),
                "Show every field of the object with this uuid.", false,
                (ctx, line) -> new Output.Table(List.of(lines(ctx, ctx.byUuid(cls, line.required("uuid")), cls.fields())))));
        out.add(new Command(n + "-param-get", List.of("uuid", "param-name"), List.of("param-key"),
                "Show one field of the object; for a map, param-key=<key> shows the value of one key.",
                false, (ctx, line) -> paramGet(ctx, cls, line)));
        if (!addable.isEmpty()) {
            out.add(new Command(n + "-param-add", List.of("uuid", "param-name"), List.of("param-key"),
                    "Add to a set field (param-key=<member>) or to a map field (key=value pairs).",
                    false, (ctx, line) -> paramAdd(ctx, cls, line)));
            out.add(new Command(n + "-param-remove", List.of("uuid", "param-name", "param-key"), List.of(),
                    "Take a member out of a set field, or a key out of a map field.", false,
                    (ctx, line) -> paramRemove(ctx, cls, line)));
        }
        if (!clearable.isEmpty()) {
            out.add(new Command(n + "-param-clear", List.of("uuid", "param-name"), List.of(),
                    "Empty a field; param-name is one of " + String.join(",", clearable) + ".", false,
                    (ctx, line) -> paramClear(ctx, cls, line)));
        }
        return out;
    }

    private static Output list(CommandContext ctx, CliClass cls, CommandLine line) {
        List<ObjectRecord> all = ctx.all(cls);
        List<ObjectRecord> selected = all;
        Map<String, String> filters = new LinkedHashMap<>(cls.defaultFilters());
        line.params().forEach((k, v) -> {
            if (!k.equals("params") && !CommandLine.STANDARD_PARAMS.contains(k) && !k.startsWith("database:")) filters.put(k, v);
        });
        for (var filter : filters.entrySet()) {
            if (selected.isEmpty()) break;
            FieldSelector selector = FieldSelector.of(cls, filter.getKey());
            selected = selected.stream().filter(o -> matches(ctx, o, selector, filter.getValue())).toList();
        }
        // as in XAPI, --all lists every object whatever the filters
        List<ObjectRecord> shown = line.flag("all") ? all : selected;
        List<CliField> fields = chosenFields(cls, line);
        return new Output.Table(shown.stream().map(o -> lines(ctx, o, fields)).toList());
    }

    private static boolean matches(CommandContext ctx, ObjectRecord o, FieldSelector selector, String wanted) {
        Object value = o.record().get(selector.field().field().name());
        return switch (selector) {
            case FieldSelector.Whole w -> ctx.show(o, w.field()).equals(wanted);
            case FieldSelector.MapKey m -> wanted.equals(ctx.text().asMap((Type.Map) m.field().field().type(), value).get(m.key()));
            case FieldSelector.SetMember s -> {
                if (!s.word().equals("contains")) {
                    throw CliFailure.failure("Invalid syntax for set filtering (should be set-param:contains=key)");
                }
                yield ctx.text().elements((Type.Set) s.field().field().type(), value).contains(wanted);
            }
        };
    }

    /** params=a,b picks fields (in record order, unknown names ignored, as xe does); params=all shows all. */
    private static List<CliField> chosenFields(CliClass cls, CommandLine line) {
        return chosenFields(cls, line.get("params"), cls.defaultListParams());
    }

    /** The fields {@code params} names (all for "all"; {@code defaults} when null), in the record's order. */
    static List<CliField> chosenFields(CliClass cls, String params, List<String> defaults) {
        // a class xe lists with no default columns (message) shows them all
        if ("all".equals(params) || (params == null && defaults.isEmpty())) return cls.fields();
        List<String> wanted = params == null ? defaults : List.of(params.split(","));
        return cls.fields().stream().filter(f -> wanted.contains(f.name())).toList();
    }

    static List<Output.Line> lines(CommandContext ctx, ObjectRecord o, List<CliField> fields) {
        return fields.stream().map(f -> new Output.Line(f.name() + f.qualifier(), ctx.show(o, f))).toList();
    }

    private static CliField field(CliClass cls, String name) {
        return cls.field(name).orElseThrow(() -> new CliFailure(ErrorReport.lines("Missing parameter", List.of(name)), 1));
    }

    private static Output paramGet(CommandContext ctx, CliClass cls, CommandLine line) {
        ObjectRecord o = ctx.byUuid(cls, line.required("uuid"));
        CliField f = field(cls, line.required("param-name"));
        if (line.has("param-key") && f.field().type() instanceof Type.Map m) {
            String key = line.get("param-key");
            String value = ctx.text().asMap(m, o.record().get(f.field().name())).get(key);
            if (value == null) throw CliFailure.failure("Key " + key + " not found in map");
            return Output.value(value);
        }
        return Output.value(ctx.show(o, f));
    }

    private static Output paramSet(CommandContext ctx, CliClass cls, CommandLine line) {
        ObjectRecord o = ctx.byUuid(cls, line.required("uuid"));
        var parser = new ValueParser(ctx.api());
        String wire = cls.def().name();
        for (var p : line.params().entrySet()) {
            if (p.getKey().equals("uuid") || CommandLine.STANDARD_PARAMS.contains(p.getKey())) continue;
            switch (FieldSelector.of(cls, p.getKey())) {
                case FieldSelector.SetMember s -> throw CliFailure.failure("Cannot param-set on set fields");
                case FieldSelector.MapKey m -> {
                    var f = m.field();
                    if (!f.writable()) throw CliFailure.failure("Map field '" + f.name() + "' is read-only.");
                    var type = (Type.Map) f.field().type();
                    Object key = parser.parseKey(type, m.key());
                    Object value = parser.parse(f.name(), type.value(), p.getValue());
                    // remove first: add_to_ of a present key fails with MAP_DUPLICATE_KEY
                    ctx.api().call(wire + ".remove_from_" + f.field().name(), o.ref(), key);
                    ctx.api().call(wire + ".add_to_" + f.field().name(), o.ref(), key, value);
                }
                case FieldSelector.Whole w -> {
                    var f = w.field();
                    if (f.isMap() || f.isSet()) {
                        throw CliFailure.failure(f.writable() ? "Field '" + f.name() + "' is a map or set. use the 'name:key=value' syntax."
                                : "Field '" + f.name() + "' is read-only.");
                    }
                    if (!f.writable()) throw CliFailure.failure("Field '" + f.name() + "' is read-only.");
                    ctx.api().call(wire + ".set_" + f.field().name(), o.ref(), parser.parse(f.name(), f.type(), p.getValue()));
                }
            }
        }
        return Output.NOTHING;
    }

    private static Output paramAdd(CommandContext ctx, CliClass cls, CommandLine line) {
        ObjectRecord o = ctx.byUuid(cls, line.required("uuid"));
        CliField f = field(cls, line.required("param-name"));
        var parser = new ValueParser(ctx.api());
        String method = cls.def().name() + "." + (f.isMap() ? "add_to_" : "add_") + f.field().name();
        if (!f.isSet() && !f.isMap()) throw CliFailure.failure("Can only add to parameters of type Set or Map");
        if (!f.writable()) throw CliFailure.failure("Parameter is read-only");
        if (f.field().type() instanceof Type.Set s) {
            if (!line.has("param-key")) {
                throw CliFailure.failure("When adding a key to a set, use the syntax: *-param-add param-name=<name> param-key=<key>");
            }
            ctx.api().call(method, o.ref(), parser.parse(f.name(), s.element(), line.get("param-key")));
        } else if (f.field().type() instanceof Type.Map m) {
            for (var p : line.params().entrySet()) {
                String k = p.getKey();
                if (List.of("uuid", "param-name", "param-key").contains(k) || CommandLine.STANDARD_PARAMS.contains(k)) continue;
                ctx.api().call(method, o.ref(), parser.parseKey(m, k), parser.parse(f.name(), m.value(), p.getValue()));
            }
        }
        return Output.NOTHING;
    }

    private static Output paramRemove(CommandContext ctx, CliClass cls, CommandLine line) {
        ObjectRecord o = ctx.byUuid(cls, line.required("uuid"));
        CliField f = field(cls, line.required("param-name"));
        String key = line.required("param-key");
        Object value = o.record().get(f.field().name());
        String wire = cls.def().name();
        var parser = new ValueParser(ctx.api());
        switch (f.field().type()) {
            case Type.Set s when f.writable() -> {
                if (!ctx.text().elements(s, value).contains(key)) throw CliFailure.failure("Key " + key + " is not in the set");
                ctx.api().call(wire + ".remove_" + f.field().name(), o.ref(), parser.parse(f.name(), s.element(), key));
            }
            case Type.Map m when f.writable() -> {
                if (!ctx.text().asMap(m, value).containsKey(key)) throw CliFailure.failure("Key " + key + " is not in map");
                ctx.api().call(wire + ".remove_from_" + f.field().name(), o.ref(), parser.parseKey(m, key));
            }
            case Type.Set s -> throw CliFailure.failure("Cannot remove parameters from read-only map");
            case Type.Map m -> throw CliFailure.failure("Cannot remove parameters from read-only map");
            default -> throw CliFailure.failure("Can only remove from parameters of type Set or Map");
        }
        return Output.NOTHING;
    }

    private static Output paramClear(CommandContext ctx, CliClass cls, CommandLine line) {
        ObjectRecord o = ctx.byUuid(cls, line.required("uuid"));
        CliField f = field(cls, line.required("param-name"));
        if (!f.writable()) throw CliFailure.failure("Can only clear RW parameters");
        Object empty = switch (f.field().type()) {
            case Type.Set s -> List.of();
            case Type.Map m -> Map.of();
            default -> "";
        };
        try {
            ctx.api().call(cls.def().name() + ".set_" + f.field().name(), o.ref(), empty);
        } catch (org.flotilla.model.ApiError e) {
            if (f.isSet() || f.isMap()) throw e;
            throw CliFailure.failure("Cannot clear this parameter");
        }
        return Output.NOTHING;
    }
}
