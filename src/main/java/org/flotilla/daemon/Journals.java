package org.flotilla.daemon;

import java.nio.file.Path;
import org.flotilla.db.Journal;

/** The journal a daemon keeps its database in. */
final class Journals {
    private Journals() {}

    static Journal open(Path stateDir) {
        return Journal.NONE;
    }
}
