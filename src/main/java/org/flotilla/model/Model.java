package org.flotilla.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole datamodel: classes, their declared and derived messages, and the error codes. Built once
 * from the declarations and checked at load, so that a mistake in a declaration stops the daemon at
 * start rather than a client at run time.
 */
public final class Model {
    private final Map<String, ClassDef> classes = new LinkedHashMap<>();
    private final Map<String, ClassDef> classesByLowerName = new LinkedHashMap<>();
    private final Map<String, MessageDef> messages = new LinkedHashMap<>();
    private final Map<String, ErrorDef> errors = new LinkedHashMap<>();

    public Model(Collection<ClassDef> classDefs, Collection<ErrorDef> errorDefs) {
        for (ClassDef c : classDefs) {
            if (classes.put(c.name(), c) != null) throw new IllegalStateException("class declared twice: " + c.name());
            classesByLowerName.put(c.name().toLowerCase(), c);
        }
        for (ErrorDef e : errorDefs) errors.put(e.code(), e);
        for (ClassDef c : classDefs) {
            if (c.stored()) for (MessageDef m : derivedMessages(c)) messages.put(m.wireName(), m);
            for (MessageDef m : c.messages()) messages.put(m.wireName(), m); // a declaration overrides a derivation
        }
        check();
    }

    public Collection<ClassDef> classes() { return classes.values(); }

    public ClassDef classDef(String name) { return classes.get(name); }

    /** Class by its name in any case, as event subscriptions name them. */
    public Optional<ClassDef> classIgnoringCase(String name) {
        return Optional.ofNullable(classesByLowerName.get(name.toLowerCase()));
    }

    public Collection<MessageDef> messages() { return messages.values(); }

    public Optional<MessageDef> message(String wireName) { return Optional.ofNullable(messages.get(wireName)); }

    public Collection<ErrorDef> errors() { return errors.values(); }

    public Optional<ErrorDef> error(String code) { return Optional.ofNullable(errors.get(code)); }

    private static List<MessageDef> derivedMessages(ClassDef c) {
        List<MessageDef> out = new ArrayList<>();
        Type self = Type.ref(c.name());
        Type selfSet = Type.setOf(self);
        Param selfParam = new Param("self", self, null, "the object");
        Access read = Access.READ_ONLY;
        out.add(derived(c, "get_record", List.of(selfParam), Type.record(c.name()), read, new Derivation.GetRecord()));
        out.add(derived(c, "get_by_uuid", List.of(new Param("uuid", Type.STRING, null, "")), self, read,
                new Derivation.GetByUuid()));
        if (c.listable()) {
            out.add(derived(c, "get_all", List.of(), selfSet, read, new Derivation.GetAll()));
            out.add(derived(c, "get_all_records", List.of(), Type.mapOf(self, Type.record(c.name())), read,
                    new Derivation.GetAllRecords()));
            out.add(derived(c, "get_all_records_where", List.of(new Param("expr", Type.STRING, null, "")),
                    Type.mapOf(self, Type.record(c.name())), read, new Derivation.GetAllRecordsWhere()));
        }
        if (c.hasField("name_label")) {
            out.add(derived(c, "get_by_name_label", List.of(new Param("label", Type.STRING, null, "")), selfSet,
                    read, new Derivation.GetByNameLabel()));
        }
        if (c.genericCreate()) {
            out.add(derived(c, "create", List.of(new Param("args", Type.record(c.name()), null, "")), self,
                    Access.POOL_OPERATOR, new Derivation.Create()));
        }
        if (c.genericDestroy()) {
            out.add(derived(c, "destroy", List.of(selfParam), Type.VOID, Access.POOL_OPERATOR, new Derivation.Destroy()));
        }
        for (FieldDef f : c.fields().values()) {
            out.add(derived(c, "get_" + f.name(), List.of(selfParam), f.type(), read, new Derivation.GetField(f)));
            if (!f.writable()) continue;
            out.add(derived(c, "set_" + f.name(), List.of(selfParam, new Param("value", f.type(), null, "")),
                    Type.VOID, Access.VM_ADMIN, new Derivation.SetField(f)));
            switch (f.type()) {
                case Type.Map m -> {
                    out.add(derived(c, "add_to_" + f.name(), List.of(selfParam, new Param("key", m.key(), null, ""),
                            new Param("value", m.value(), null, "")), Type.VOID, Access.VM_ADMIN, new Derivation.AddToMap(f)));
                    out.add(derived(c, "remove_from_" + f.name(), List.of(selfParam, new Param("key", m.key(), null, "")),
                            Type.VOID, Access.VM_ADMIN, new Derivation.RemoveFromMap(f)));
                }
                case Type.Set s -> {
                    out.add(derived(c, "add_" + f.name(), List.of(selfParam, new Param("value", s.element(), null, "")),
                            Type.VOID, Access.VM_ADMIN, new Derivation.AddToSet(f)));
                    out.add(derived(c, "remove_" + f.name(), List.of(selfParam, new Param("value", s.element(), null, "")),
                            Type.VOID, Access.VM_ADMIN, new Derivation.RemoveFromSet(f)));
                }
                default -> { }
            }
        }
        return out;
    }

    private static MessageDef derived(ClassDef c, String name, List<Param> params, Type result, Access role, Derivation d) {
        return new MessageDef(c.name(), name, params, result, List.of(), false, false, role, "", d);
    }

    /** Every reference names a declared class, every relation a declared reference field back. */
    private void check() {
        List<String> problems = new ArrayList<>();
        for (ClassDef c : classes.values()) {
            for (FieldDef f : c.fields().values()) {
                checkType(f.type(), c.name() + "." + f.name(), problems);
                if (f.derived()) {
                    String[] other = f.relation().split("\\.");
                    ClassDef oc = classes.get(other[0]);
                    FieldDef of = oc == null ? null : oc.field(other[1]);
                    if (of == null || !(of.type() instanceof Type.Ref r) || !r.className().equals(c.name())) {
                        problems.add(c.name() + "." + f.name() + ": relation " + f.relation() + " is not a ref to " + c.name());
                    }
                }
            }
            for (MessageDef m : c.messages()) {
                for (Param p : m.params()) checkType(p.type(), m.wireName() + "(" + p.name() + ")", problems);
                checkType(m.result(), m.wireName() + " result", problems);
                for (String e : m.errors()) if (!errors.containsKey(e)) problems.add(m.wireName() + ": undeclared error " + e);
                boolean seenOptional = false;
                for (Param p : m.params()) {
                    if (p.optional()) seenOptional = true;
                    else if (seenOptional) problems.add(m.wireName() + ": required parameter " + p.name() + " after an optional one");
                }
            }
        }
        if (!problems.isEmpty()) throw new IllegalStateException("datamodel check failed: " + String.join("; ", problems));
    }

    private void checkType(Type t, String where, List<String> problems) {
        switch (t) {
            case Type.Ref r -> { if (!classes.containsKey(r.className())) problems.add(where + ": unknown class " + r.className()); }
            case Type.Record r -> { if (!classes.containsKey(r.className())) problems.add(where + ": unknown class " + r.className()); }
            case Type.Set s -> checkType(s.element(), where, problems);
            case Type.Map m -> { checkType(m.key(), where, problems); checkType(m.value(), where, problems); }
            default -> { }
        }
    }
}
