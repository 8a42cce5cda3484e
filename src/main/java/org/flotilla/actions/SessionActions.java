package org.flotilla.actions;

import org.flotilla.api.Call;
import org.flotilla.api.Sessions;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;

/** session's messages: logging in and out. */
public final class SessionActions implements Session.Actions {
    private final Sessions sessions;

    public SessionActions(Sessions sessions) { this.sessions = sessions; }

    @Override
    public Ref<Session> login_with_password(String uname, String pwd, String version, String originator) {
        return sessions.login(uname, pwd, originator, Call.current().clientAddress());
    }

    @Override public void logout() { sessions.logout(Call.current().session()); }

    @Override public void local_logout() { sessions.logout(Call.current().session()); }
}
