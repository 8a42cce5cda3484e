package org.flotilla.db;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.XenApi;

/**
 * A deterministic stream of multi-operation transactions whose effect after n of them is known, and
 * a main that commits them as fast as it can against a state directory, printing "ACK &lt;generation&gt;"
 * after each commit returns, for {@link CrashRecoveryTest} to kill at a random moment.
 *
 * <p>Transaction 0 creates the pool; transaction i creates VM i with a VBD, records i in the pool's
 * name_label, and deletes VM i-{@value #LIVE_VMS} with its VBD, so the state stays small and every
 * transaction puts, sets and deletes.
 */
public final class CrashWorkload {
    static final String POOL = "OpaqueRef:pool";
    static final int LIVE_VMS = 30;

    private CrashWorkload() {}

    static String vm(long i) { return "OpaqueRef:vm-" + i; }

    static String vbd(long i) { return "OpaqueRef:vbd-" + i; }

    static void step(Database.Tx tx, long i) {
        if (i == 0) {
            tx.put("pool", POOL, Map.of("uuid", "pool-uuid", "name_label", "count-0"));
            return;
        }
        var blocked = new LinkedHashMap<String, Object>();
        blocked.put("start", "reason " + i);
        tx.put("VM", vm(i), Map.of(
                "uuid", "vm-uuid-" + i,
                "name_label", "vm " + i,
                "user_version", i,
                "HVM_shadow_multiplier", i % 5 == 0 ? Double.NaN : i / 3.0,
                "snapshot_time", Instant.ofEpochSecond(1_763_890_000L + i, i * 1000),
                "blocked_operations", blocked,
                "tags", List.of("t" + i, "t" + (i + 1))));
        tx.put("VBD", vbd(i), Map.of("uuid", "vbd-uuid-" + i, "VM", vm(i), "device", "xvd" + i));
        tx.set("pool", POOL, "name_label", "count-" + i);
        if (i > LIVE_VMS) {
            tx.delete("VBD", vbd(i - LIVE_VMS));
            tx.delete("VM", vm(i - LIVE_VMS));
        }
    }

    /** How many workload transactions the state holds, from the pool's counter; -1 before the first. */
    static long count(Database db) {
        var pool = db.get("pool", POOL);
        return pool == null ? -1 : Long.parseLong(pool.string("name_label").substring("count-".length()));
    }

    /** args: state directory, compaction threshold in bytes. */
    public static void main(String[] args) {
        Model model = XenApi.model();
        var db = new Database(model, new FileJournal(Path.of(args[0]), model, Long.parseLong(args[1])));
        long next = count(db) + 1;
        System.out.println("READY " + db.generation());
        System.out.flush();
        while (true) { // until killed
            long i = next++;
            db.write(tx -> step(tx, i));
            System.out.println("ACK " + db.generation());
            System.out.flush();
        }
    }
}
