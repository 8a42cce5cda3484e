package org.flotilla.actions;

import java.util.List;
import org.flotilla.api.Call;
import org.flotilla.api.Events;
import org.flotilla.model.xenapi.Event;

/** event's messages: the changes clients watch, by token (from) or by registration (next). */
public final class EventActions implements Event.Actions {
    private final Events events;

    public EventActions(Events events) { this.events = events; }

    @Override public Object from(List<String> classes, String token, double timeout) { return events.from(Call.current().session(), classes, token, timeout); }

    @Override public String inject(String _class, String ref) { return events.inject(_class, ref); }

    @Override public long get_current_id() { return events.currentId(); }

    @Override public void register(List<String> classes) { events.subscribe(Call.current().session(), classes, true); }

    @Override public void unregister(List<String> classes) { events.subscribe(Call.current().session(), classes, false); }

    @Override public Object next() { return events.next(Call.current().session()); }
}
