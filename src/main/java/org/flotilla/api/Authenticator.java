package org.flotilla.api;

/** Checks a user's password. */
public interface Authenticator {
    boolean authenticate(String user, String password);
}
