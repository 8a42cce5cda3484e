package org.flotilla.vm;

import java.util.LinkedHashMap;
import java.util.Objects;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Member;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;

/**
 * Whole records and pending changes, through typed fields: a change to an object is a {@link Rec} holding only the
 * fields it changes, and the lifecycle rules look at an object as it will be once its changes apply.
 */
public final class Records {
    private Records() {}

    /** The object as it will be once {@code changes} apply (for the rules; it is not stored). */
    public static <C> DbObject<C> after(DbObject<C> now, Rec<C> changes) {
        var fields = new LinkedHashMap<>(now.fields());
        fields.putAll(changes.values());
        return new DbObject<>(now.className(), now.ref(), fields, 0, 0);
    }

    /** A record not stored yet, as an object the rules can look at. */
    public static <C> DbObject<C> unsaved(Ref<C> ref, Rec<C> record) {
        return new DbObject<>(ref.cls().name(), ref.value(), record.values(), 0, 0);
    }

    /** A copy of a stored object's fields, to change and store again. */
    public static <C> Rec<C> copy(DbObject<C> o, ApiClass<C> cls) { return Rec.of(cls, o.fields()); }

    /** {@code top}'s fields over {@code base}'s. */
    public static <C> Rec<C> over(Rec<C> base, Rec<C> top) {
        var values = new LinkedHashMap<>(base.values());
        values.putAll(top.values());
        return Rec.of(base.cls(), values);
    }

    /** A new record of the class: its defaults, and the fields {@code given} names that a constructor takes (XAPI ignores the rest). */
    public static <C> Rec<C> constructed(Database db, Rec<C> given) {
        Rec<C> r = db.newRecord(given.cls());
        for (Member<C> m : given.cls().members()) {
            if (m instanceof Field<C, ?> f && f.qualifier().inConstructor() && given.has(f)) take(r, f, given);
        }
        return r;
    }

    /** Stages every field {@code changes} holds. */
    public static <C> void stage(Database.Tx tx, Ref<C> ref, Rec<C> changes) {
        for (Member<C> m : ref.cls().members()) if (m instanceof Field<C, ?> f && changes.has(f)) set(tx, ref, f, changes);
    }

    /** Whether {@code f} differs between the two. */
    public static <C, T> boolean differs(Field<C, T> f, DbObject<C> a, DbObject<C> b) { return !Objects.equals(a.get(f), b.get(f)); }

    private static <C, T> void take(Rec<C> to, Field<C, T> f, Rec<C> from) { to.set(f, from.get(f)); }

    private static <C, T> void set(Database.Tx tx, Ref<C> ref, Field<C, T> f, Rec<C> changes) { tx.set(ref, f, changes.get(f)); }
}
