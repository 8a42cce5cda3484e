package org.flotilla.actions;

import java.time.Instant;
import java.util.Map;
import org.flotilla.api.Alerts;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Message;
import org.flotilla.model.xenapi.enums.Cls;

/** message's messages: the alerts raised about objects. */
public final class MessageActions implements Message.Actions {
    private final Alerts alerts;

    public MessageActions(Alerts alerts) { this.alerts = alerts; }

    @Override public Ref<Message> create(String name, long priority, Cls cls, String obj_uuid, String body) {
        return alerts.raise(name, priority, cls, obj_uuid, body);
    }

    @Override public void destroy(Ref<Message> self) { alerts.destroy(self); }

    @Override public Map<Ref<Message>, Rec<Message>> get_since(Instant since) { return alerts.since(since); }
}
