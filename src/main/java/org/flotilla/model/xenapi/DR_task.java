package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;

/** A disaster-recovery task that introduces SRs holding a pool's metadata; Flotilla makes none. */
public interface DR_task {
    ApiClass<DR_task> CLASS = ApiClass.declare(DR_task.class, "DR_task")
            .doc("A disaster-recovery task that introduces SRs holding a pool's metadata; Flotilla makes none.");

    Field<DR_task, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The disaster recovery task's unique identifier, fixed for its whole life.");
    Relation<DR_task, SR> introduced_SRs = CLASS.relation("introduced_SRs", () -> SR.introduced_by).doc("The SRs the task introduced.");
}
