package org.flotilla.api;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiError;
import org.flotilla.model.DataType;
import org.flotilla.model.Declarations;
import org.flotilla.model.MessageDef;
import org.flotilla.model.Model;

/**
 * The code of the declared messages, reached through each class's {@code Actions} interface (XAPI's
 * {@code Actions} module): a subsystem gives one implementation of a class's Actions, and each of its methods
 * serves the message of the same name, its arguments handed over as the method's Java types and its result
 * taken back as the wire carries it. The compiler sees to it that an implementation lacks no message.
 */
public final class Implementations {
    Implementations() {}

    private final Map<String, Handler> byWireName = new HashMap<>();

    /** Every message of {@code actions} (a declaration's nested Actions interface) served by {@code impl}. */
    public <A> Implementations add(Class<A> actions, A impl) {
        Class<?> declaration = actions.getDeclaringClass();
        if (declaration == null || Declarations.actions(declaration) != actions) {
            throw new IllegalArgumentException(actions + " is no declaration's Actions interface");
        }
        String className = ApiClass.of(declaration).name();
        for (Method m : Declarations.methods(actions)) {
            String wire = className + "." + Declarations.messageName(m);
            if (byWireName.putIfAbsent(wire, handler(m, impl)) != null) throw new IllegalStateException("two implementations of " + wire);
        }
        return this;
    }

    Handler get(String wireName) { return byWireName.get(wireName); }

    /** The declared messages of the model that nothing serves: the daemon refuses to start with any. */
    List<String> missing(Model model) {
        return model.messages().stream().filter(m -> m.declared() && !byWireName.containsKey(m.wireName()))
                .map(MessageDef::wireName).toList();
    }

    private static Handler handler(Method m, Object impl) {
        MethodHandle h;
        try {
            // spread and typed once here, so that a call is one invokeExact, not invokeWithArguments' adaptation each time
            h = MethodHandles.publicLookup().unreflect(m).bindTo(impl).asSpreader(Object[].class, m.getParameterCount())
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + m, e);
        }
        var params = new ArrayList<DataType<?>>();
        for (Parameter p : m.getParameters()) params.add(Declarations.dataType(p.getParameterizedType()));
        DataType<?> result = Declarations.dataType(m.getGenericReturnType());
        return call -> {
            List<Object> args = call.args();
            var javaArgs = new Object[args.size()];
            for (int i = 0; i < javaArgs.length; i++) javaArgs[i] = decode(params.get(i), args.get(i));
            Object out;
            try {
                out = (Object) h.invokeExact(javaArgs);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw ApiError.internal(m.getName() + ": " + t);
            }
            return out == null ? null : encode(result, out);
        };
    }

    private static <T> Object decode(DataType<T> t, Object wire) { return wire == null ? null : t.decode(wire); }

    @SuppressWarnings("unchecked")
    private static <T> Object encode(DataType<T> t, Object java) { return t.encode((T) java); }
}
