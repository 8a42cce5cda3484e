package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;

/** The XenAPI's class DR_task. */
public interface DR_task {
    ApiClass<DR_task> CLASS = ApiClass.declare(DR_task.class, "DR_task");

    Field<DR_task, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Relation<DR_task, SR> introduced_SRs = CLASS.relation("introduced_SRs", () -> SR.introduced_by);
}
