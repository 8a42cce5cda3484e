package org.flotilla.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Derivation;
import org.flotilla.model.FieldDef;

/** The messages that follow from the datamodel alone, implemented once for every class. */
final class DerivedMessages {
    private final Database db;

    DerivedMessages(Database db) { this.db = db; }

    Object invoke(Call call) {
        var m = call.message();
        String cls = m.className();
        return switch (m.derivation()) {
            case Derivation.GetRecord g -> db.record(cls, self(call).ref());
            case Derivation.GetByUuid g -> db.refByUuid(cls, call.string("uuid"))
                    .filter(ref -> Dispatcher.visible(cls, ref, call.session()))
                    .orElseThrow(() -> ApiError.of("UUID_INVALID", cls, call.string("uuid")));
            case Derivation.GetByNameLabel g -> db.where(cls, o -> call.string("label").equals(o.get("name_label")))
                    .stream().map(DbObject::ref).toList();
            case Derivation.GetAll g -> db.all(cls).stream().map(DbObject::ref).toList();
            case Derivation.GetAllRecords g -> db.records(cls, o -> true);
            case Derivation.GetAllRecordsWhere g -> {
                var p = WhereExpr.parse(call.string("expr"));
                var all = db.records(cls, o -> true);
                all.values().removeIf(rec -> !p.test(rec));
                yield all;
            }
            case Derivation.Create c -> create(call, cls);
            case Derivation.Destroy d -> {
                db.write(tx -> tx.delete(cls, self(call).ref()));
                yield null;
            }
            case Derivation.GetField g -> {
                DbObject<?> o = self(call);
                yield g.field().derived() ? db.related(cls, g.field().name(), o.ref()) : o.get(g.field().name());
            }
            case Derivation.SetField s -> {
                String ref = self(call).ref();
                db.write(tx -> tx.set(cls, ref, s.field().name(), call.arg("value")));
                yield null;
            }
            case Derivation.AddToMap a -> updateMap(call, a.field(), true);
            case Derivation.RemoveFromMap r -> updateMap(call, r.field(), false);
            case Derivation.AddToSet a -> updateSet(call, a.field(), true);
            case Derivation.RemoveFromSet r -> updateSet(call, r.field(), false);
        };
    }

    private DbObject<?> self(Call call) { return db.require(call.message().className(), call.ref("self")); }

    private Object create(Call call, String cls) {
        ClassDef c = db.model().classDef(cls);
        Map<String, Object> given = call.map("args");
        var fields = new LinkedHashMap<String, Object>();
        given.forEach((k, v) -> { if (c.field(k).qualifier().inConstructor()) fields.put(k, v); });
        fields.put("uuid", Refs.newUuid());
        String ref = Refs.newRef();
        db.write(tx -> tx.put(cls, ref, fields));
        return ref;
    }

    private Object updateMap(Call call, FieldDef f, boolean add) {
        String cls = call.message().className();
        db.write(tx -> {
            DbObject<?> o = self(call);
            var map = new LinkedHashMap<Object, Object>(o.map(f.name()));
            Object key = call.arg("key");
            if (add) {
                if (map.containsKey(key)) {
                    throw ApiError.of("MAP_DUPLICATE_KEY", cls, f.name(), o.uuid(), String.valueOf(key));
                }
                map.put(key, call.arg("value"));
            } else if (map.remove(key) == null) {
                return;
            }
            tx.set(cls, o.ref(), f.name(), Collections.unmodifiableMap(map));
        });
        return null;
    }

    private Object updateSet(Call call, FieldDef f, boolean add) {
        String cls = call.message().className();
        db.write(tx -> {
            DbObject<?> o = self(call);
            List<Object> set = new ArrayList<>(o.set(f.name()));
            Object value = call.arg("value");
            boolean changed = add ? !set.contains(value) && set.add(value) : set.remove(value);
            if (changed) tx.set(cls, o.ref(), f.name(), List.copyOf(set));
        });
        return null;
    }
}
