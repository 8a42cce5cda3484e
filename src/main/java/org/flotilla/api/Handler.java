package org.flotilla.api;

/** The code behind one declared message. Returns the result value (null for void). */
@FunctionalInterface
public interface Handler {
    Object handle(Call call);
}
