package org.flotilla.model;

import java.util.List;

/**
 * A message (RPC) of a class. Parameters exclude the session, which every message but a few in
 * {@code session} and {@code system} takes first; {@code sessionless} marks those few. A message the
 * model derives from the fields carries its {@link Derivation}; a declared one carries null and needs
 * a handler.
 */
public record MessageDef(String className, String name, List<Param> params, Type result, List<String> errors,
                      boolean async, boolean sessionless, Access role, String doc, Derivation derivation) {

    public MessageDef {
        params = List.copyOf(params);
        errors = List.copyOf(errors);
    }

    public boolean declared() { return derivation == null; }

    public String wireName() { return className + "." + name; }

    public int requiredCount() {
        int n = params.size();
        while (n > 0 && params.get(n - 1).optional()) n--;
        return n;
    }
}
