package org.flotilla.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Message;
import org.flotilla.model.xenapi.enums.Cls;

/** XAPI's messages: alerts about objects (a VM that crashed, a disk that filled), kept in the database. */
public final class Alerts {
    private final Database db;

    public Alerts(Database db) { this.db = db; }

    /** Records an alert about the object of class {@code cls} whose uuid is {@code objUuid}. */
    public Ref<Message> raise(String name, long priority, Cls cls, String objUuid, String body) {
        Ref<Message> ref = Refs.newRef(Message.CLASS);
        db.write(tx -> tx.put(ref, db.newRecord(Message.CLASS)
                .set(Message.uuid, Refs.newUuid())
                .set(Message.name, name)
                .set(Message.priority, priority)
                .set(Message.cls, cls)
                .set(Message.obj_uuid, objUuid)
                .set(Message.timestamp, Instant.now())
                .set(Message.body, body)));
        return ref;
    }

    public void destroy(Ref<Message> self) { db.write(tx -> tx.delete(self)); }

    /** The alerts raised after {@code since}, oldest first. */
    public Map<Ref<Message>, Rec<Message>> since(Instant since) {
        var out = new LinkedHashMap<Ref<Message>, Rec<Message>>();
        for (DbObject<Message> m : db.where(Message.CLASS, m -> m.get(Message.timestamp).isAfter(since))) {
            Rec<Message> r = db.record(m.self(Message.CLASS));
            if (r != null) out.put(m.self(Message.CLASS), r); // one destroyed meanwhile is left out
        }
        return out;
    }
}
