package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/**
 * set_sm_config, add_to_sm_config and remove_from_sm_config of a class whose sm_config the SM shares with clients
 * (VDI, SR): the client's keys change, the SM's stay ({@link SmOwnedKeys}).
 */
public final class SmConfigEdits<C> {
    private final Database db;
    private final Field<C, Map<String, String>> field;
    private final SmOwnedKeys owned;

    SmConfigEdits(Database db, Field<C, Map<String, String>> field, SmOwnedKeys owned) {
        this.db = db;
        this.field = field;
        this.owned = owned;
    }

    public void set(Ref<C> self, Map<String, String> value) { change(self, (o, m) -> owned.replaceClientPart(m, value)); }

    /** MAP_DUPLICATE_KEY for a key there already; a key the SM owns is left as it is. */
    public void add(Ref<C> self, String key, String value) {
        change(self, (o, m) -> {
            if (m.containsKey(key)) throw ApiError.of("MAP_DUPLICATE_KEY", field.owner().name(), field.name(), o.uuid(), key);
            if (owned.owned(key)) return m;
            var n = new LinkedHashMap<>(m);
            n.put(key, value);
            return n;
        });
    }

    public void remove(Ref<C> self, String key) {
        change(self, (o, m) -> {
            if (owned.owned(key)) return m;
            var n = new LinkedHashMap<>(m);
            n.remove(key);
            return n;
        });
    }

    private void change(Ref<C> self, BiFunction<DbObject<C>, Map<String, String>, Map<String, String>> f) {
        db.write(tx -> {
            DbObject<C> o = db.require(self);
            Map<String, String> now = o.get(field);
            Map<String, String> next = f.apply(o, now);
            if (!next.equals(now)) tx.set(self, field, Collections.unmodifiableMap(new LinkedHashMap<>(next)));
        });
    }
}
