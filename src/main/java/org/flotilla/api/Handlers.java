package org.flotilla.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.MessageDef;
import org.flotilla.model.Model;

/** The code behind the declared messages, registered by each subsystem under "Class.message". */
public final class Handlers {
    private final Model model;
    private final Map<String, Handler> byName = new HashMap<>();

    public Handlers(Model model) { this.model = model; }

    public Handlers on(String className, String message, Handler h) {
        String name = className + "." + message;
        MessageDef m = model.message(name).orElseThrow(() -> new IllegalArgumentException("undeclared message " + name));
        if (!m.declared()) throw new IllegalArgumentException(name + " is derived from the datamodel; declare it to override");
        if (byName.putIfAbsent(name, h) != null) throw new IllegalArgumentException("two handlers for " + name);
        return this;
    }

    Handler get(String wireName) { return byName.get(wireName); }

    /** Declared messages that nobody implements: the daemon refuses to start with any. */
    public List<String> unimplemented() {
        var out = new ArrayList<String>();
        for (MessageDef m : model.messages()) if (m.declared() && !byName.containsKey(m.wireName())) out.add(m.wireName());
        return out;
    }
}
