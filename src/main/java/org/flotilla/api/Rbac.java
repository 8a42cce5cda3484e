package org.flotilla.api;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Access;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Role;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Subject;

/**
 * XAPI's role-based access control for what checks it by hand (rbac.ml's check): a session's role is pool-admin for
 * the local superuser and for the pool's own sessions, else the strongest of its subject's roles; a session without a
 * role that covers the one needed is refused with RBAC_PERMISSION_DENIED, worded as XAPI words it.
 */
public final class Rbac {
    /** The permission XAPI's console handler asks of a session that connects to a control domain's console. */
    public static final String HOST_CONSOLE = "http/connect_console/host_console";

    private Rbac() {}

    /** Fails with RBAC_PERMISSION_DENIED [permission, message] unless {@code session}'s role covers {@code needed}. */
    public static void require(Database db, Ref<Session> session, Access needed, String permission) {
        if (roleOf(db, session).filter(r -> r.covers(needed)).isPresent()) return;
        String allowed = Arrays.stream(Access.values()).filter(a -> a.covers(needed))
                .sorted((a, b) -> b.compareTo(a)).map(Access::wireName).collect(Collectors.joining(", "));
        throw ApiError.of("RBAC_PERMISSION_DENIED", permission, "No permission in user session. (Roles with this permission: " + allowed + ")");
    }

    /** The session's role; none for a session that does not exist or whose subject has no role. */
    static Optional<Access> roleOf(Database db, Ref<Session> session) {
        DbObject<Session> s = db.get(session);
        if (s == null) return Optional.empty();
        if (Boolean.TRUE.equals(s.get(Session.is_local_superuser)) || Boolean.TRUE.equals(s.get(Session.pool))) return Optional.of(Access.POOL_ADMIN);
        DbObject<Subject> subject = db.get(s.get(Session.subject));
        if (subject == null) return Optional.empty();
        return subject.get(Subject.roles).stream().map(db::get).filter(r -> r != null).map(r -> r.get(Role.name_label))
                .flatMap(name -> Arrays.stream(Access.values()).filter(a -> a.wireName().equals(name)))
                .max(Access::compareTo);
    }
}
