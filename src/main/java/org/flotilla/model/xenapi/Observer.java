package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class Observer. */
public interface Observer {
    ApiClass<Observer> CLASS = ApiClass.declare(Observer.class, "Observer");

    Field<Observer, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Observer, String> name_label = CLASS.rw("name_label", STRING);
    Field<Observer, String> name_description = CLASS.rw("name_description", STRING);
    Field<Observer, List<Ref<Host>>> hosts = CLASS.ro("hosts", setOf(ref(Host.class)));
    Field<Observer, Map<String, String>> attributes = CLASS.ro("attributes", STRING_MAP);
    Field<Observer, List<String>> endpoints = CLASS.ro("endpoints", STRING_SET);
    Field<Observer, List<String>> components = CLASS.ro("components", STRING_SET);
    Field<Observer, Boolean> enabled = CLASS.ro("enabled", BOOL);
}
