package org.flotilla.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.flotilla.api.Rpc;
import org.flotilla.model.ApiClass;
import org.flotilla.model.DataType;
import org.flotilla.model.Declarations;
import org.flotilla.model.MessageDef;
import org.flotilla.model.Param;
import org.flotilla.model.xenapi.XenApi;

/**
 * A class's {@code Actions} as a client calls them: each method sends the message of its name with the
 * arguments in their wire form and reads the answer back as the method's type. A message renamed in its
 * declaration breaks every command that calls it.
 */
public final class RemoteActions {
    private RemoteActions() {}

    /**
     * {@code actions} (a declaration's nested Actions interface), each call sent through {@code rpc} in
     * {@code session} (null before logging in: sessionless messages carry none).
     */
    public static <A> A of(Class<A> actions, Rpc rpc, String session) {
        String className = ApiClass.of(actions.getDeclaringClass()).name();
        return proxy(actions, (proxy, m, args) -> {
            MessageDef message = message(className, m);
            var params = new ArrayList<Object>();
            if (!message.sessionless()) params.add(session);
            params.addAll(arguments(message, m, args));
            Object answer = rpc.call(message.wireName(), params);
            return m.getReturnType() == void.class ? null : WireValues.read(Declarations.dataType(m.getGenericReturnType()), answer);
        });
    }

    /** The wire names of the messages {@code calls} makes on {@code actions}, which are not sent. */
    static <A> List<String> names(Class<A> actions, Consumer<A> calls) {
        String className = ApiClass.of(actions.getDeclaringClass()).name();
        var out = new ArrayList<String>();
        calls.accept(proxy(actions, (proxy, m, args) -> {
            out.add(message(className, m).wireName());
            return zero(m.getReturnType());
        }));
        return out;
    }

    /**
     * The arguments as the wire takes them, less those at the end left at their declared defaults: a server
     * from before such a parameter was added still takes the call, as it took it from xe before.
     */
    private static List<Object> arguments(MessageDef message, Method m, Object[] args) {
        var out = new ArrayList<Object>();
        var types = m.getGenericParameterTypes();
        for (int i = 0; args != null && i < args.length; i++) out.add(WireValues.write(Declarations.dataType(types[i]), args[i]));
        List<Param> params = message.params();
        while (!out.isEmpty()) {
            Param last = params.get(out.size() - 1);
            if (!last.optional() || !Objects.equals(last.defaultValue(), out.getLast())) break;
            out.removeLast();
        }
        return out;
    }

    private static MessageDef message(String className, Method m) {
        String wire = className + "." + Declarations.messageName(m);
        return XenApi.model().message(wire).orElseThrow(() -> new IllegalStateException("undeclared message " + wire));
    }

    @SuppressWarnings("unchecked")
    private static <A> A proxy(Class<A> actions, InvocationHandler h) {
        return (A) Proxy.newProxyInstance(actions.getClassLoader(), new Class<?>[] {actions}, h);
    }

    private static Object zero(Class<?> type) {
        if (type == boolean.class) return false;
        if (type == long.class) return 0L;
        if (type == double.class) return 0.0;
        if (type == int.class) return 0;
        return null;
    }
}
