package org.flotilla.xva;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The objects an import made so far, last first: what a failed import destroys, so that nothing of it is left. The
 * destroying is done with the client's session, as the making was.
 */
final class Made {
    private record Obj(String cls, String ref) {}

    private final Calls calls;
    private final Deque<Obj> made = new ArrayDeque<>();

    Made(Calls calls) { this.calls = calls; }

    /** Makes an object with {@code cls}.create and {@code record}, and remembers it; returns its ref. */
    String create(String cls, Object record) { return make(cls, "create", record); }

    /** Makes an object with {@code cls}.{@code message} and its arguments, and remembers it; returns its ref. */
    String make(String cls, String message, Object... arguments) {
        String ref = (String) calls.call(cls + "." + message, arguments);
        made.push(new Obj(cls, ref));
        return ref;
    }

    /** Destroys what was made, last first; what cannot be destroyed is left to the error already thrown. */
    void undo() {
        while (!made.isEmpty()) {
            Obj m = made.pop();
            try {
                calls.call(m.cls() + ".destroy", m.ref());
            } catch (RuntimeException ignored) {
                // best effort: the import's own error is the one to report
            }
        }
    }
}
