package org.flotilla.cli;

import java.util.ArrayList;
import java.util.List;
import org.flotilla.model.Derivation;
import org.flotilla.model.MessageDef;
import org.flotilla.model.Model;
import org.flotilla.model.Type;

/**
 * A command for every message that acts on one object and needs nothing else — vbd-plug, vif-unplug,
 * vdi-destroy, sr-forget, pbd-plug, task-cancel, vm-pause, vm-destroy: xe names them
 * &lt;class&gt;-&lt;message&gt;. VM messages choose their VM(s) as other VM commands do; the others take uuid=.
 * A message that answers with an object prints its uuid. Hand-written commands of the same name win.
 */
final class ActionCommands {
    private ActionCommands() {}

    static List<HandWrittenCommands.Entry> of(Model model, CliClasses classes) {
        var out = new ArrayList<HandWrittenCommands.Entry>();
        for (MessageDef m : model.messages()) {
            if (!actsOnOneObject(m)) continue;
            classes.forModelClass(m.className()).ifPresent(cls -> out.add(entry(cls, m)));
        }
        return out;
    }

    private static boolean actsOnOneObject(MessageDef m) {
        return !m.sessionless() && m.params().size() == 1 && m.params().getFirst().type() instanceof Type.Ref r
                && r.className().equals(m.className()) && (m.declared() || m.derivation() instanceof Derivation.Destroy);
    }

    private static HandWrittenCommands.Entry entry(CliClass cls, MessageDef m) {
        String name = cls.name() + "-" + m.name().replace('_', '-');
        String help = m.doc() == null || m.doc().isBlank() ? "Call " + m.wireName() + " on the object." : m.doc();
        Command command = cls.name().equals("vm")
                ? new Command(name, List.of(), List.of(), help + VmSelector.HELP_SUFFIX, false, (ctx, line) -> {
                    var printed = new ArrayList<String>();
                    for (ObjectRecord vm : VmSelector.select(ctx, line, false, List.of())) printed.addAll(call(ctx, m, vm.ref()));
                    return new Output.Values(printed);
                })
                : new Command(name, List.of("uuid"), List.of(), help, false,
                    (ctx, line) -> new Output.Values(call(ctx, m, ctx.byUuid(cls, line.required("uuid")).ref())));
        return new HandWrittenCommands.Entry(command, List.of(m.wireName()));
    }

    /** Calls the message; what it answers, as xe prints it (an object by its uuid). */
    private static List<String> call(CommandContext ctx, MessageDef m, String ref) {
        Object result = ctx.api().call(m.wireName(), ref);
        return switch (m.result()) {
            case Type.Ref r when result instanceof String s -> List.of((String) ctx.api().call(r.className() + ".get_uuid", s));
            case Type.Void v -> List.of();
            default -> result == null ? List.of() : List.of(String.valueOf(result));
        };
    }
}
