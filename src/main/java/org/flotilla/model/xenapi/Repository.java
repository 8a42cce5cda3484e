package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** An update repository the pool fetches updates from; Flotilla updates through its packages and makes none. */
public interface Repository {
    ApiClass<Repository> CLASS = ApiClass.declare(Repository.class, "Repository")
            .doc("An update repository the pool fetches updates from; Flotilla updates through its packages and makes none.");

    Field<Repository, String> uuid = CLASS.dyn("uuid", STRING).doc("The repository's unique identifier, fixed for its whole life.");
    Field<Repository, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the repository by; it need not be unique.");
    Field<Repository, String> name_description = CLASS.rw("name_description", STRING)
            .doc("A longer free-text description of the repository.");
    Field<Repository, String> binary_url = CLASS.ro("binary_url", STRING).doc("Where the repository's packages are.");
    Field<Repository, String> source_url = CLASS.ro("source_url", STRING).doc("Where the repository's sources are.");
    Field<Repository, Boolean> update = CLASS.ro("update", BOOL).doc("Whether the repository holds updates (rather than a base release).");
    Field<Repository, String> hash = CLASS.dyn("hash", STRING).doc("The checksum of the repository's metadata as last fetched.");
    Field<Repository, String> gpgkey_path = CLASS.ro("gpgkey_path", STRING).doc("The GPG key the repository is signed with.");
}
