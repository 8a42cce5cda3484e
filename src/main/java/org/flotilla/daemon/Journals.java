package org.flotilla.daemon;

import java.nio.file.Path;
import org.flotilla.db.FileJournal;
import org.flotilla.db.Journal;
import org.flotilla.model.xenapi.XenApi;

/** The journal a daemon keeps its database in: {@code <stateDir>/db}, locked while the daemon runs. */
final class Journals {
    private Journals() {}

    static Journal open(Path stateDir) {
        return new FileJournal(stateDir.resolve("db"), XenApi.model());
    }
}
