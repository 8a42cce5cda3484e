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

/** The XenAPI's class session. */
public interface Session {
    ApiClass<Session> CLASS = ApiClass.declare(Session.class, "session", Shape.UNLISTED, Shape.TRANSIENT, Shape.WITHOUT_EVENTS);

    Field<Session, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Session, Ref<Host>> this_host = CLASS.dyn("this_host", ref(Host.class));
    Field<Session, Ref<User>> this_user = CLASS.dyn("this_user", ref(User.class));
    Field<Session, Instant> last_active = CLASS.dyn("last_active", DATETIME);
    Field<Session, Boolean> pool = CLASS.dyn("pool", BOOL);
    Field<Session, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Session, Boolean> is_local_superuser = CLASS.dyn("is_local_superuser", BOOL);
    Field<Session, Ref<Subject>> subject = CLASS.dyn("subject", ref(Subject.class));
    Field<Session, Instant> validation_time = CLASS.dyn("validation_time", DATETIME);
    Field<Session, String> auth_user_sid = CLASS.dyn("auth_user_sid", STRING);
    Field<Session, String> auth_user_name = CLASS.dyn("auth_user_name", STRING);
    Field<Session, List<String>> rbac_permissions = CLASS.ro("rbac_permissions", STRING_SET);
    Field<Session, List<Ref<Task>>> tasks = CLASS.dyn("tasks", setOf(ref(Task.class)));
    Field<Session, Ref<Session>> parent = CLASS.ro("parent", ref(Session.class));
    Field<Session, String> originator = CLASS.dyn("originator", STRING);
    Field<Session, Boolean> client_certificate = CLASS.dyn("client_certificate", BOOL);

    /** The messages of session that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Log in and get a session for the calls that follow")
        @Api(role = Access.READ_ONLY, sessionless = true, errors = {"SESSION_AUTHENTICATION_FAILED"})
        Ref<Session> login_with_password(String uname, String pwd, @Default("1.1") String version, @Default("") String originator);

        @Doc("End this session")
        @Api(role = Access.READ_ONLY)
        void logout();

        @Doc("End this session, made on this host")
        @Api(role = Access.READ_ONLY)
        void local_logout();
    }
}
