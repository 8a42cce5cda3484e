package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class Repository. */
public interface Repository {
    ApiClass<Repository> CLASS = ApiClass.declare(Repository.class, "Repository");

    Field<Repository, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Repository, String> name_label = CLASS.rw("name_label", STRING);
    Field<Repository, String> name_description = CLASS.rw("name_description", STRING);
    Field<Repository, String> binary_url = CLASS.ro("binary_url", STRING);
    Field<Repository, String> source_url = CLASS.ro("source_url", STRING);
    Field<Repository, Boolean> update = CLASS.ro("update", BOOL);
    Field<Repository, String> hash = CLASS.dyn("hash", STRING);
    Field<Repository, String> gpgkey_path = CLASS.ro("gpgkey_path", STRING);
}
