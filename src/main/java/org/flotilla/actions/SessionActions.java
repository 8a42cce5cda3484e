package org.flotilla.actions;

import java.util.List;
import org.flotilla.api.Call;
import org.flotilla.api.Sessions;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;
import org.flotilla.pool.PoolSecret;

/** session's messages: logging in and out, to the pool or (slave_local_login) to this host alone. */
public final class SessionActions implements Session.Actions {
    private final Sessions sessions;
    private final PoolSecret poolSecret;

    public SessionActions(Sessions sessions, PoolSecret poolSecret) {
        this.sessions = sessions;
        this.poolSecret = poolSecret;
    }

    @Override
    public Ref<Session> login_with_password(String uname, String pwd, String version, String originator) {
        return sessions.login(uname, pwd, originator, Call.current().clientAddress());
    }

    @Override public void logout() { sessions.logout(Call.current().session()); }

    @Override
    public Ref<Session> slave_local_login(String psecret) {
        if (!poolSecret.matches(psecret)) throw ApiError.of("SESSION_AUTHENTICATION_FAILED", "localhost", "Pool credentials invalid");
        return sessions.newLocal();
    }

    @Override
    public Ref<Session> slave_local_login_with_password(String uname, String pwd) {
        return sessions.localLogin(uname, pwd, Call.current().clientAddress());
    }

    @Override public void local_logout() { sessions.localLogout(Call.current().session()); }

    @Override public List<String> get_all_subject_identifiers() { return sessions.subjectIdentifiers(); }
}
