package org.flotilla.network.vif;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.network.bridge.HostLinks;

/**
 * The names of VIFs' tap devices, {@code vif<domid>.<device>} as XAPI names its backends. A VM without a domid
 * (-1 or 0) gets a number no other VM or leftover tap on this host has, for as long as this daemon runs.
 */
final class TapNames {
    private final Database db;
    private final HostLinks links;
    /** The numbers given to VMs that have no domid. */
    private final Map<Ref<VM>, Integer> pseudoDomids = new HashMap<>();

    TapNames(Database db, HostLinks links) {
        this.db = db;
        this.links = links;
    }

    /** The tap device name a VIF of this VM on this device has. */
    String of(DbObject<VM> vm, String device) {
        long domid = vm.get(VM.domid);
        long n = domid > 0 ? domid : pseudoDomids.computeIfAbsent(vm.self(VM.CLASS), k -> freeNumber());
        String name = "vif" + n + "." + device;
        if (!HostLinks.validName(name)) throw ApiError.of("INVALID_DEVICE", device);
        return name;
    }

    /** The VM has no taps left: its number may go to another. */
    void release(Ref<VM> vm) { pseudoDomids.remove(vm); }

    private int freeNumber() {
        Set<Long> used = new HashSet<>();
        for (DbObject<VM> vm : db.all(VM.CLASS)) used.add(vm.get(VM.domid));
        for (int n : pseudoDomids.values()) used.add((long) n);
        Set<String> present = new HashSet<>();
        for (HostLinks.Link l : links.list()) if (l.name().startsWith("vif")) present.add(l.name().substring(0, l.name().indexOf('.') + 1));
        for (int n = 1; ; n++) {
            if (!used.contains((long) n) && !present.contains("vif" + n + ".")) return n;
        }
    }
}
