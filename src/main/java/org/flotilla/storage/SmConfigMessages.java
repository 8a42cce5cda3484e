package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/** VDI's and SR's set_sm_config, add_to_sm_config and remove_from_sm_config: the client's keys change, the SM's stay (SmOwnedKeys). */
final class SmConfigMessages {
    private static final String FIELD = "sm_config";

    private final Database db;

    SmConfigMessages(Database db) { this.db = db; }

    void register(Handlers h) {
        for (String cls : new String[] {"VDI", "SR"}) {
            h.on(cls, "set_" + FIELD, c -> change(cls, c, (o, m) -> SmOwnedKeys.replaceClientPart(cls, m, c.map("value"))))
             .on(cls, "add_to_" + FIELD, c -> change(cls, c, (o, m) -> {
                 String key = c.string("key");
                 if (m.containsKey(key)) throw ApiError.of("MAP_DUPLICATE_KEY", cls, FIELD, o.uuid(), key);
                 if (SmOwnedKeys.owned(cls, key)) return m;
                 var n = new LinkedHashMap<>(m);
                 n.put(key, c.string("value"));
                 return n;
             }))
             .on(cls, "remove_from_" + FIELD, c -> change(cls, c, (o, m) -> {
                 if (SmOwnedKeys.owned(cls, c.string("key"))) return m;
                 var n = new LinkedHashMap<>(m);
                 n.remove(c.string("key"));
                 return n;
             }));
        }
    }

    private Object change(String cls, Call c, BiFunction<DbObject<?>, Map<String, String>, Map<String, String>> f) {
        db.write(tx -> {
            DbObject<?> o = db.require(cls, c.ref("self"));
            Map<String, String> now = o.map(FIELD);
            Map<String, String> next = f.apply(o, now);
            if (!next.equals(now)) tx.set(cls, o.ref(), FIELD, Collections.unmodifiableMap(new LinkedHashMap<>(next)));
        });
        return null;
    }
}
