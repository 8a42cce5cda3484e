package org.flotilla.pool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;

/**
 * pool.cpu_info as XAPI sums it over the pool's hosts: their CPUs and sockets added up, the vendor, and the CPU
 * features every host offers (none listed here, as Flotilla reads no CPUID policy). Xen Orchestra shows the pool's
 * "total CPUs" from it.
 */
public final class PoolCpuInfo {
    private PoolCpuInfo() {}

    public static Map<String, String> of(List<DbObject<Host>> hosts) {
        long cpus = 0;
        long sockets = 0;
        String vendor = "";
        for (DbObject<Host> h : hosts) {
            Map<String, String> info = h.get(Host.cpu_info);
            cpus += count(info.get("cpu_count"));
            sockets += count(info.get("socket_count"));
            vendor = info.getOrDefault("vendor", vendor);
        }
        var out = new LinkedHashMap<String, String>();
        out.put("vendor", vendor);
        out.put("socket_count", Long.toString(sockets));
        out.put("cpu_count", Long.toString(cpus));
        out.put("features_pv_host", "");
        out.put("features_hvm_host", "");
        return out;
    }

    /** Writes the pool's summary again if its hosts have changed it (one joined or left, or a host's CPUs changed). */
    public static void refresh(Database db) {
        Map<String, String> now = of(db.all(Host.CLASS));
        for (DbObject<Pool> p : db.all(Pool.CLASS)) {
            if (!now.equals(p.get(Pool.cpu_info))) db.write(tx -> tx.set(p.self(Pool.CLASS), Pool.cpu_info, now));
        }
    }

    private static long count(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
