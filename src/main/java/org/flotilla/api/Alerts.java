package org.flotilla.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/** XAPI's messages: alerts about objects (a VM that crashed, a disk that filled), kept in the database. */
public final class Alerts {
    private final Database db;

    public Alerts(Database db) { this.db = db; }

    /** Records an alert; {@code cls} is the XenAPI class name of the object ("VM", "Host", "SR", ...). */
    public String raise(String name, long priority, String cls, String objUuid, String body) {
        String ref = Refs.newRef();
        var fields = new LinkedHashMap<String, Object>();
        fields.put("uuid", Refs.newUuid());
        fields.put("name", name);
        fields.put("priority", priority);
        fields.put("cls", cls);
        fields.put("obj_uuid", objUuid);
        fields.put("timestamp", Instant.now());
        fields.put("body", body);
        db.write(tx -> tx.put("message", ref, fields));
        return ref;
    }

    public void register(Handlers h) {
        h.on("message", "create", c -> raise(c.string("name"), c.integer("priority"), c.string("cls"),
                        c.string("obj_uuid"), c.string("body")))
         .on("message", "destroy", c -> { db.write(tx -> tx.delete("message", c.ref("self"))); return null; })
         .on("message", "get_since", c -> {
             Instant since = (Instant) c.arg("since");
             return db.records("message", (DbObject<?> m) -> ((Instant) m.get("timestamp")).isAfter(since));
         });
    }
}
