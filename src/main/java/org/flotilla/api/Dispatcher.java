package org.flotilla.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Derivation;
import org.flotilla.model.MessageDef;
import org.flotilla.model.Model;
import org.flotilla.model.Param;
import org.flotilla.model.Ref;
import org.flotilla.model.Type;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Session;

/**
 * From a method name and decoded parameters to the message's code: finds the message in the model,
 * checks the session, the arity and every argument's type and reference, then runs the handler (or the
 * derived implementation) now or under a task for Async.* calls.
 */
public final class Dispatcher implements Rpc {
    private static final String ASYNC = "Async.";

    private final Model model;
    private final Database db;
    private final Implementations implementations;
    private final Sessions sessions;
    private final Tasks tasks;
    private final Coerce coerce;
    private final DerivedMessages derived;

    public Dispatcher(Database db, XenApiActions actions, Sessions sessions, Tasks tasks) {
        this.model = db.model();
        this.db = db;
        this.implementations = actions.implementations();
        this.sessions = sessions;
        this.tasks = tasks;
        this.coerce = new Coerce(model);
        this.derived = new DerivedMessages(db);
        List<String> missing = implementations.missing(model);
        if (!missing.isEmpty()) throw new IllegalStateException("declared messages without code: " + missing);
    }

    @Override
    public Object call(String method, List<Object> params) { return call(method, params, LoginThrottle.IN_PROCESS); }

    @Override
    public Object call(String method, List<Object> params, String clientAddress) {
        boolean async = method.startsWith(ASYNC);
        String name = async ? method.substring(ASYNC.length()) : method;
        if (name.equals("system.listMethods")) return listMethods();
        MessageDef m = find(name).filter(msg -> !async || asyncAllowed(msg))
                .orElseThrow(() -> ApiError.of("MESSAGE_METHOD_UNKNOWN", method));
        admission.admit(m);

        int offset = m.sessionless() ? 0 : 1;
        int received = params.size() - offset;
        // as XAPI's generated dispatcher: both counts leave the session out, and a message with defaulted parameters
        // takes any number from its mandatory ones up, ignoring what is past its last
        boolean defaulted = m.requiredCount() < m.params().size();
        if (received < m.requiredCount() || (!defaulted && received > m.params().size())) {
            throw ApiError.of("MESSAGE_PARAMETER_COUNT_MISMATCH", method,
                    Integer.toString(m.requiredCount()), Integer.toString(received));
        }
        // XAPI unmarshals every parameter, the session's too, before it looks at the session
        Ref<Session> session = m.sessionless() ? Session.CLASS.nullRef() : Session.CLASS.ref((String) typed(Type.STRING, params.getFirst()));
        List<Object> raw = params.subList(offset, Math.min(params.size(), offset + m.params().size()));
        List<Object> args = arguments(m, raw);
        boolean forwarded = sessions.isLocal(session); // another member's call comes in a local session: not sent on again
        int catchUpsOnMiss = CatchUps.beforeCall(db, forwarded);
        if (!m.sessionless()) sessions.require(session);
        checkRefs(m, args, session, catchUpsOnMiss);
        boolean mayForward = !forwarded;

        if (async) {
            final Ref<Session> owner = session;
            return tasks.runAsync(method, session, task -> invokeHere(new Call(m, args, owner, clientAddress, task, db), raw, mayForward)).value();
        }
        return invokeHere(new Call(m, args, session, clientAddress, TaskContext.NONE, db), raw, mayForward);
    }

    /** Which messages this host serves at all: all of them, unless it is in emergency mode ({@link EmergencyCalls}). */
    public interface Admission {
        /** Fails with the error the caller gets for {@code m}, if it is not served. */
        void admit(MessageDef m);
    }

    private volatile Admission admission = m -> { };

    public void admitOnly(Admission admission) { this.admission = admission; }

    /** Sends the calls that belong to another host of the pool there, as XAPI forwards them. */
    public void forwardThrough(Forwarder forwarder) { this.forwarder = forwarder; }

    /**
     * A call this host's own code makes on another host of the pool, as XAPI's code calls the API and the call is
     * forwarded (SR.create plugs each member's PBD so): CANNOT_CONTACT_HOST naming the host where calls are not
     * forwarded.
     */
    public Object callOn(Ref<Host> host, String method, List<Object> arguments) {
        Forwarder f = forwarder;
        if (f == null) throw ApiError.of("CANNOT_CONTACT_HOST", host.value());
        return CatchUps.after(db, () -> f.forward(host, method, arguments));
    }

    /** How a call reaches another host of the pool: its wire name and arguments as the client sent them, without the session. */
    public interface Forwarder {
        Object forward(Ref<Host> host, String method, List<Object> arguments);
    }

    private Object invokeHere(Call call, List<Object> raw, boolean mayForward) {
        long commits = db.commitsOfThisThread();
        try {
            return invoke(call);
        } catch (CallElsewhere e) {
            Forwarder f = forwarder;
            if (f == null || !mayForward) throw e;
            if (db.commitsOfThisThread() != commits) {
                // the call changed the database before it found it belonged elsewhere: sent there, it would run on that change
                LOG.log(System.Logger.Level.WARNING, call.message().wireName() + " belongs to " + e.host().value()
                        + " but changed the database here first; not forwarded");
                throw e;
            }
            return CatchUps.after(db, () -> f.forward(e.host(), call.message().wireName(), raw));
        }
    }

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private volatile Forwarder forwarder;

    private Object invoke(Call call) {
        MessageDef m = call.message();
        if (!m.declared()) return derived.invoke(call);
        Handler h = implementations.get(m.wireName());
        return ScopedValue.where(Call.CURRENT, call).call(() -> h.handle(call));
    }

    /** "VM.start", and the older spelling "VM_start" that a few clients still use. */
    private Optional<MessageDef> find(String name) {
        Optional<MessageDef> m = model.message(name);
        if (m.isPresent() || name.contains(".")) return m;
        for (int i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
            m = model.message(name.substring(0, i) + "." + name.substring(i + 1));
            if (m.isPresent()) return m;
        }
        return Optional.empty();
    }

    private static boolean asyncAllowed(MessageDef m) {
        return m.async() || m.derivation() instanceof Derivation.Create || m.derivation() instanceof Derivation.Destroy;
    }

    private List<Object> arguments(MessageDef m, List<Object> raw) {
        var out = new ArrayList<Object>(m.params().size());
        for (int i = 0; i < m.params().size(); i++) {
            Param p = m.params().get(i);
            out.add(i < raw.size() ? typed(p.type(), raw.get(i)) : p.defaultValue());
        }
        return out;
    }

    private Object typed(Type type, Object raw) {
        try {
            return coerce.to(type, raw);
        } catch (Coerce.Mismatch e) {
            throw e.error();
        }
    }

    /**
     * HANDLE_INVALID for a reference this copy lacks, once the copy has caught up as far as {@code catchUpsOnMiss}
     * allows: a reference missing from a copy that was not brought up to the pool's may be one written elsewhere a
     * moment ago.
     */
    private void checkRefs(MessageDef m, List<Object> args, Ref<Session> session, int catchUpsOnMiss) {
        int left = catchUpsOnMiss;
        for (int i = 0; i < args.size(); i++) {
            if (m.params().get(i).type() instanceof Type.Ref r && args.get(i) instanceof String v && !Refs.isNull(v)) {
                boolean known = db.get(r.className(), v) != null;
                while (!known && left > 0) {
                    left = db.catchUp() ? 0 : left - 1;
                    known = db.get(r.className(), v) != null;
                }
                if (!known || !visible(r.className(), v, session)) throw ApiError.handleInvalid(r.className(), v);
            }
        }
    }

    /**
     * A session's reference is its credential: a caller reaches only its own session, and another session is to it
     * as if it did not exist.
     */
    static boolean visible(String className, String ref, Ref<Session> callerSession) {
        return !className.equals(Session.CLASS.name()) || ref.equals(callerSession.value());
    }

    private List<String> listMethods() {
        var out = new ArrayList<String>();
        out.add("system.listMethods");
        for (MessageDef m : model.messages()) {
            out.add(m.wireName());
            if (asyncAllowed(m)) out.add(ASYNC + m.wireName());
        }
        return out;
    }
}
