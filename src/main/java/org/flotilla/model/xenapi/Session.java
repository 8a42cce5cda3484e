package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Default;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A client's login: the reference every call but login passes first. A session sees only itself. */
public interface Session {
    ApiClass<Session> CLASS = ApiClass.declare(Session.class, "session", Shape.UNLISTED, Shape.TRANSIENT, Shape.WITHOUT_EVENTS)
            .doc("A client's login: the reference every call but login passes first. A session sees only itself.");

    Field<Session, String> uuid = CLASS.dyn("uuid", STRING).doc("The session's unique identifier.");
    Field<Session, Ref<Host>> this_host = CLASS.dyn("this_host", ref(Host.class)).doc("The host the session was made on.");
    Field<Session, Ref<User>> this_user = CLASS.dyn("this_user", ref(User.class))
            .doc("The user record of a session made for one; NULL, as only root logs in.");
    Field<Session, Instant> last_active = CLASS.dyn("last_active", DATETIME)
            .doc("When the session was made; Flotilla tracks later use without writing it here.");
    Field<Session, Boolean> pool = CLASS.dyn("pool", BOOL)
            .doc("Whether this is a session between the pool's hosts; false for clients' sessions.");
    Field<Session, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs the client keeps on its session.");
    Field<Session, Boolean> is_local_superuser = CLASS.dyn("is_local_superuser", BOOL)
            .doc("Whether the session logged in as the local root (true: only root logs in).");
    Field<Session, Ref<Subject>> subject = CLASS.dyn("subject", ref(Subject.class))
            .doc("The subject (external user or group) the session logged in as; NULL for root.");
    Field<Session, Instant> validation_time = CLASS.dyn("validation_time", DATETIME)
            .doc("When the session's login was last checked: when it was made.");
    Field<Session, String> auth_user_sid = CLASS.dyn("auth_user_sid", STRING)
            .doc("The security identifier of an externally authenticated user; empty for root.");
    Field<Session, String> auth_user_name = CLASS.dyn("auth_user_name", STRING).doc("The user name the session logged in with.");
    Field<Session, List<String>> rbac_permissions = CLASS.ro("rbac_permissions", STRING_SET)
            .doc("The permissions of an externally authenticated user; empty, as root may do everything.");
    Field<Session, List<Ref<Task>>> tasks = CLASS.dyn("tasks", setOf(ref(Task.class)))
            .doc("Tasks the session is said to own; Flotilla leaves it empty (task.get_all lists them).");
    Field<Session, Ref<Session>> parent = CLASS.ro("parent", ref(Session.class))
            .doc("The session this one was made from, for sessions made on a client's behalf; NULL.");
    Field<Session, String> originator = CLASS.dyn("originator", STRING)
            .doc("What the client said it is at login (originator), by which sessions are counted and ended.");
    Field<Session, Boolean> client_certificate = CLASS.dyn("client_certificate", BOOL)
            .doc("Whether the session logged in with a TLS client certificate; false.");

    /** The messages of session that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Log in with a user name and password; the session returned goes first in the calls that follow.")
        @Api(role = Access.READ_ONLY, sessionless = true, errors = {"SESSION_AUTHENTICATION_FAILED"})
        Ref<Session> login_with_password(String uname, String pwd, @Default("1.1") String version, @Default("") String originator);

        @Doc("End this session.")
        @Api(role = Access.READ_ONLY)
        void logout();

        @Doc("Log in to this host alone, as when its coordinator cannot be reached, with the pool's secret. The session is no record: it lives in this host's memory until local_logout or a restart.")
        @Api(sessionless = true, errors = {"SESSION_AUTHENTICATION_FAILED"})
        Ref<Session> slave_local_login(String psecret);

        @Doc("Log in to this host alone, as when its coordinator cannot be reached, with the local root's password. The session is no record: it lives in this host's memory until local_logout or a restart.")
        @Api(sessionless = true, errors = {"SESSION_AUTHENTICATION_FAILED"})
        Ref<Session> slave_local_login_with_password(String uname, String pwd);

        @Doc("End this session if it is a local one (slave_local_login); a session of the pool's database is ended by logout.")
        @Api(role = Access.POOL_ADMIN)
        void local_logout();

        @Doc("The subject identifiers of the users of every session that is not the local root's; empty, as only root logs in.")
        @Api(role = Access.READ_ONLY, async = true)
        List<String> get_all_subject_identifiers();
    }
}
