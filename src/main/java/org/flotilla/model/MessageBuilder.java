package org.flotilla.model;

import java.util.ArrayList;
import java.util.List;

/** Fluent declaration of a message: {@code msg("start").param("vm", ref("VM")).async()}. */
public final class MessageBuilder {
    private final String name;
    private final List<Param> params = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private Type result = Type.VOID;
    private boolean async;
    private boolean sessionless;
    private Access role = Access.POOL_ADMIN;
    private String doc = "";

    private MessageBuilder(String name) { this.name = name; }

    public static MessageBuilder msg(String name) { return new MessageBuilder(name); }

    public MessageBuilder param(String paramName, Type type) { return param(paramName, type, null); }

    /** An optional trailing parameter and the value it takes when omitted. */
    public MessageBuilder param(String paramName, Type type, Object def) {
        params.add(new Param(paramName, type, def, ""));
        return this;
    }

    public MessageBuilder returns(Type type) { result = type; return this; }

    public MessageBuilder errors(String... codes) { errors.addAll(List.of(codes)); return this; }

    public MessageBuilder async() { async = true; return this; }

    public MessageBuilder sessionless() { sessionless = true; return this; }

    public MessageBuilder role(Access r) { role = r; return this; }

    public MessageBuilder doc(String d) { doc = d; return this; }

    MessageDef build(String className) {
        return new MessageDef(className, name, params, result, errors, async, sessionless, role, doc, null);
    }
}
