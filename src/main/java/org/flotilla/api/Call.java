package org.flotilla.api;

import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.MessageDef;
import org.flotilla.model.Param;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;

/**
 * One invocation of a message: its arguments already checked against the declaration and converted
 * to their types, the caller's session, and the task when the call runs asynchronously.
 */
public final class Call {
    private final MessageDef message;
    private final List<Object> args;
    private final Ref<Session> session;
    private final String clientAddress;
    private final TaskContext task;
    private final Database db;

    Call(MessageDef message, List<Object> args, Ref<Session> session, String clientAddress, TaskContext task, Database db) {
        this.message = message;
        this.args = List.copyOf(args.stream().map(a -> a == null ? "" : a).toList());
        this.session = session;
        this.clientAddress = clientAddress;
        this.task = task;
        this.db = db;
    }

    /** The call being served on this thread, for the typed code behind a message (see {@link Implementations}). */
    public static Call current() {
        if (!CURRENT.isBound()) throw new IllegalStateException("no XenAPI call is being served here");
        return CURRENT.get();
    }

    static final ScopedValue<Call> CURRENT = ScopedValue.newInstance();

    public MessageDef message() { return message; }

    /** The arguments in declaration order, converted to the declared types (as stored: see {@link org.flotilla.model.Type}). */
    List<Object> args() { return args; }

    public Database db() { return db; }

    /** The caller's session (OpaqueRef:NULL for sessionless messages). */
    public Ref<Session> session() { return session; }

    /** The IP address of the client that made the call ({@link LoginThrottle#IN_PROCESS} for the daemon's own). */
    public String clientAddress() { return clientAddress; }

    /** The task this call runs under, or a no-op one for a synchronous call. */
    public TaskContext task() { return task; }

    /** The key under which an object's current_operations list this call's operation: its task, or a ref of its own for a synchronous call. */
    public String operationKey() { return task.ref().isNull() ? Refs.newRef() : task.ref().value(); }

    public Object arg(String name) {
        List<Param> ps = message.params();
        for (int i = 0; i < ps.size(); i++) if (ps.get(i).name().equals(name)) return args.get(i);
        throw new IllegalArgumentException(message.wireName() + " has no parameter " + name);
    }

    public String string(String name) { return (String) arg(name); }

    /** A ref argument; its existence was checked by dispatch unless it is OpaqueRef:NULL. */
    public String ref(String name) { return (String) arg(name); }

    public long integer(String name) { return (Long) arg(name); }

    public boolean bool(String name) { return (Boolean) arg(name); }

    public double real(String name) { return (Double) arg(name); }

    @SuppressWarnings("unchecked")
    public <T> List<T> set(String name) { return (List<T>) arg(name); }

    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> map(String name) { return (Map<K, V>) arg(name); }

    /** The object a ref argument names, of the class its parameter declares. */
    public DbObject<?> object(String name) {
        var t = (org.flotilla.model.Type.Ref) message.params().stream().filter(p -> p.name().equals(name))
                .findFirst().orElseThrow().type();
        return db.require(t.className(), ref(name));
    }
}
