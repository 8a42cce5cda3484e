package org.flotilla.api;

import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.util.Set;
import java.util.function.Supplier;
import org.flotilla.model.ApiError;
import org.flotilla.model.Derivation;
import org.flotilla.model.MessageDef;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.Session;

/**
 * What a member in XAPI's emergency mode (its coordinator out of reach) answers: XAPI's emergency calls that Flotilla
 * has — logging in to this host alone, and being told of a new coordinator or becoming it — and, beyond XAPI, reads of
 * its own copy of the pool database, which may lag the pool's. Every other call gets {@code refusal}, as XAPI raises
 * its emergency-mode error: HOST_IS_SLAVE naming the coordinator it last knew.
 */
public final class EmergencyCalls implements Dispatcher.Admission {
    private static final Set<String> CALLS = Set.of(
            "session.slave_local_login", "session.slave_local_login_with_password", "session.local_logout",
            "pool.emergency_transition_to_master", "pool.emergency_reset_master");

    private final Supplier<ApiError> refusal;

    public EmergencyCalls(Supplier<ApiError> refusal) { this.refusal = refusal; }

    @Override
    public void admit(MessageDef m) {
        if (CALLS.contains(m.wireName()) || isRead(m)) return;
        throw refusal.get();
    }

    private static boolean isRead(MessageDef m) {
        return switch (m.derivation()) {
            case null -> false;
            case Derivation.GetRecord g -> true;
            case Derivation.GetByUuid g -> true;
            case Derivation.GetByNameLabel g -> true;
            case Derivation.GetAll g -> true;
            case Derivation.GetAllRecords g -> true;
            case Derivation.GetAllRecordsWhere g -> true;
            case Derivation.GetField g -> true;
            default -> false;
        };
    }

    /**
     * The actions of an emergency-mode toolstack: sessions and pool messages served by {@code session} and {@code pool},
     * every other class's by a stand-in that refuses (the admission above keeps calls from reaching them).
     */
    public static XenApiActions actions(Session.Actions session, Pool.Actions pool) {
        RecordComponent[] components = XenApiActions.class.getRecordComponents();
        var args = new Object[components.length];
        var types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Class<?> type = components[i].getType();
            types[i] = type;
            args[i] = type == Session.Actions.class ? session : type == Pool.Actions.class ? pool : refusing(type);
        }
        try {
            return XenApiActions.class.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot assemble the emergency-mode actions", e);
        }
    }

    private static Object refusing(Class<?> actions) {
        return Proxy.newProxyInstance(actions.getClassLoader(), new Class<?>[] {actions}, (proxy, method, a) -> switch (method.getName()) {
            case "toString" -> actions.getName() + " (emergency mode)";
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == a[0];
            default -> throw ApiError.of("HOST_IN_EMERGENCY_MODE");
        });
    }
}
