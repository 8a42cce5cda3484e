package org.flotilla.model.xenapi;

import static org.flotilla.model.MessageBuilder.msg;
import static org.flotilla.model.Type.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Access;

final class AccessClasses {
    private AccessClasses() {}

    static List<ClassDef.Builder> all() {
        return List.of(session(), auth(), subject(), role(), user(), secret(), certificate());
    }

    static ClassDef.Builder session() {
        return ClassDef.of("session", "")
                .unlisted()
                .withoutEvents()
                .transientObjects()
                .dyn("this_host", ref("host"))
                .dyn("this_user", ref("user"))
                .dyn("last_active", DATETIME)
                .dyn("pool", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("is_local_superuser", BOOL)
                .dyn("subject", ref("subject"))
                .dyn("validation_time", DATETIME)
                .dyn("auth_user_sid", STRING)
                .dyn("auth_user_name", STRING)
                .ro("rbac_permissions", setOf(STRING))
                .dyn("tasks", setOf(ref("task")))
                .ro("parent", ref("session"))
                .dyn("originator", STRING)
                .dyn("client_certificate", BOOL)
                .message(msg("login_with_password").sessionless().role(Access.READ_ONLY)
                        .param("uname", STRING).param("pwd", STRING)
                        .param("version", STRING, "1.1").param("originator", STRING, "")
                        .returns(ref("session")).errors("SESSION_AUTHENTICATION_FAILED")
                        .doc("Log in and get a session for the calls that follow"))
                .message(msg("logout").role(Access.READ_ONLY).doc("End this session"))
                .message(msg("local_logout").role(Access.READ_ONLY).doc("End this session, made on this host"));
    }

    static ClassDef.Builder auth() {
        return ClassDef.of("auth", "")
                .notStored();
    }

    static ClassDef.Builder subject() {
        return ClassDef.of("subject", "")
                .ro("subject_identifier", STRING)
                .ro("other_config", mapOf(STRING, STRING))
                .dyn("roles", setOf(ref("role")));
    }

    static ClassDef.Builder role() {
        return ClassDef.of("role", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .ro("subroles", setOf(ref("role")))
                .dyn("is_internal", BOOL);
    }

    static ClassDef.Builder user() {
        return ClassDef.of("user", "")
                .unlisted()
                .withoutEvents()
                .ro("short_name", STRING)
                .rw("fullname", STRING)
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder secret() {
        return ClassDef.of("secret", "")
                .withoutEvents()
                .rw("value", STRING)
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder certificate() {
        return ClassDef.of("Certificate", "")
                .dyn("name", STRING)
                .dyn("type", Enums.CERTIFICATE_TYPE, "host")
                .ro("host", ref("host"))
                .ro("not_before", DATETIME)
                .ro("not_after", DATETIME)
                .ro("fingerprint", STRING);
    }
}
