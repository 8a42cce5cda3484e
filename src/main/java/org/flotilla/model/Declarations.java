package org.flotilla.model;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.MethodModel;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the metamodel off the declarations: a XenAPI class is a Java interface holding its {@link ApiClass} as
 * {@code CLASS} and its fields as typed constants, and a nested interface {@code Actions} whose methods are the
 * messages that need code — their names, parameters (named as compiled with {@code -parameters}), Java types
 * and annotations are the declaration. Messages keep their declaration order (read from the class file, which
 * keeps the source's order where reflection does not).
 */
public final class Declarations {
    private Declarations() {}

    /** The class that {@code declaration} declares, with the messages its Actions declare. */
    public static ClassDef classDef(Class<?> declaration) {
        ApiClass<?> c = ApiClass.of(declaration);
        var fields = new LinkedHashMap<String, FieldDef>();
        for (Member<?> m : c.members()) {
            if (fields.put(m.name(), m.def()) != null) throw new IllegalStateException(c.name() + "." + m.name() + " declared twice");
        }
        checkJavaNames(declaration, c);
        Class<?> actions = actions(declaration);
        List<MessageDef> messages = actions == null ? List.of() : messages(c.name(), actions);
        boolean plain = c.is(ApiClass.Shape.PLAIN_LIFECYCLE);
        return new ClassDef(c.name(), c.doc(), fields, messages, !c.is(ApiClass.Shape.NOT_STORED), !c.is(ApiClass.Shape.TRANSIENT),
                !c.is(ApiClass.Shape.UNLISTED), !c.is(ApiClass.Shape.WITHOUT_EVENTS), plain, plain || c.is(ApiClass.Shape.PLAIN_DESTROY));
    }

    /** The nested {@code Actions} interface of a declaration, or null. */
    public static Class<?> actions(Class<?> declaration) {
        for (Class<?> nested : declaration.getDeclaredClasses()) {
            if (nested.getSimpleName().equals("Actions") && nested.isInterface()) return nested;
        }
        return null;
    }

    /** The methods of an Actions interface in declaration order. */
    public static List<Method> methods(Class<?> actions) {
        var byName = new LinkedHashMap<String, Method>();
        for (Method m : actions.getDeclaredMethods()) {
            if (m.isSynthetic() || m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) continue;
            if (byName.put(m.getName(), m) != null) throw new IllegalStateException(actions.getName() + "." + m.getName() + " is overloaded");
        }
        var out = new ArrayList<Method>();
        for (String name : declarationOrder(actions)) {
            Method m = byName.remove(name);
            if (m != null) out.add(m);
        }
        out.addAll(byName.values());
        return out;
    }

    /** The wire name of a message: the method's, or its {@link Wire}. */
    public static String messageName(Method m) {
        Wire w = m.getAnnotation(Wire.class);
        return w == null ? m.getName() : w.value();
    }

    /** The wire name of a parameter: its compiled name, or its {@link Wire}. */
    public static String paramName(Parameter p) {
        Wire w = p.getAnnotation(Wire.class);
        if (w != null) return w.value();
        if (!p.isNamePresent()) throw new IllegalStateException("compile with -parameters: " + p.getDeclaringExecutable());
        return p.getName();
    }

    private static List<MessageDef> messages(String className, Class<?> actions) {
        var out = new ArrayList<MessageDef>();
        for (Method m : methods(actions)) {
            Api api = m.getAnnotation(Api.class);
            Doc doc = m.getAnnotation(Doc.class);
            var params = new ArrayList<Param>();
            for (Parameter p : m.getParameters()) {
                DataType<?> t = dataType(p.getParameterizedType());
                Default def = p.getAnnotation(Default.class);
                Doc pdoc = p.getAnnotation(Doc.class);
                params.add(new Param(paramName(p), t.type(), def == null ? null : defaultValue(t.type(), def.value()), pdoc == null ? "" : pdoc.value()));
            }
            out.add(new MessageDef(className, messageName(m), params, dataType(m.getGenericReturnType()).type(),
                    api == null ? List.of() : Arrays.asList(api.errors()), api != null && api.async(), api != null && api.sessionless(),
                    api == null ? Access.POOL_ADMIN : api.role(), doc == null ? "" : doc.value(), null));
        }
        return out;
    }

    /** The XenAPI type of a Java type in a message's signature. */
    public static DataType<?> dataType(java.lang.reflect.Type t) {
        if (t instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            java.lang.reflect.Type[] args = p.getActualTypeArguments();
            if (raw == Ref.class) return DataType.ref((Class<?>) args[0]);
            if (raw == Rec.class) return DataType.record((Class<?>) args[0]);
            if (raw == List.class) return DataType.setOf(dataType(args[0]));
            if (raw == Map.class) return DataType.mapOf(dataType(args[0]), dataType(args[1]));
        } else if (t instanceof Class<?> c) {
            if (c == String.class) return DataType.STRING;
            if (c == long.class || c == Long.class) return DataType.INT;
            if (c == double.class || c == Double.class) return DataType.FLOAT;
            if (c == boolean.class || c == Boolean.class) return DataType.BOOL;
            if (c == Instant.class) return DataType.DATETIME;
            if (c == LocalDateTime.class) return DataType.LOCAL_DATETIME;
            if (c == Object.class) return DataType.ANY;
            if (c == void.class || c == Void.class) return DataType.VOID;
            if (c.isEnum() && WireEnum.class.isAssignableFrom(c)) return enumType(c);
        }
        throw new IllegalArgumentException("no XenAPI type for " + t);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static DataType<?> enumType(Class<?> c) { return DataType.enumOf((Class) c); }

    /** A parameter's default as the wire would carry it, in its stored form. */
    static Object defaultValue(Type t, String text) {
        return switch (t) {
            case Type.Str s -> text;
            case Type.Enum e -> text;
            case Type.Ref r -> text;
            case Type.Int i -> Long.parseLong(text);
            case Type.Float f -> Double.parseDouble(text);
            case Type.Bool b -> Boolean.parseBoolean(text);
            case Type.DateTime d -> Instant.parse(text);
            case Type.Set s -> { if (!text.equals("[]")) throw new IllegalArgumentException("set default " + text); yield List.of(); }
            case Type.Map m -> { if (!text.equals("{}")) throw new IllegalArgumentException("map default " + text); yield Map.of(); }
            default -> throw new IllegalArgumentException("no default of type " + t.describe());
        };
    }

    /** Each field constant is named as its wire name (or that and an underscore where the name is a Java keyword). */
    private static void checkJavaNames(Class<?> declaration, ApiClass<?> c) {
        for (java.lang.reflect.Field f : declaration.getDeclaredFields()) {
            Object v;
            try {
                v = f.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            if (v instanceof Member<?> m && !(f.getName().equals(m.name()) || f.getName().equals(m.name() + "_"))) {
                throw new IllegalStateException(declaration.getName() + "." + f.getName() + " declares the field " + m.name());
            }
        }
    }

    private static List<String> declarationOrder(Class<?> cls) {
        String resource = cls.getName().substring(cls.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = cls.getResourceAsStream(resource)) {
            if (in == null) return List.of();
            return ClassFile.of().parse(in.readAllBytes()).methods().stream().map(MethodModel::methodName)
                    .map(n -> n.stringValue()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
