package org.flotilla.network.pif;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.model.Rec;
import org.flotilla.model.xenapi.PIF_metrics;
import org.flotilla.network.bridge.HostLinks;

/** A PIF's metrics as the host's sysfs shows its interface: carrier, PCI ids, speed, duplex, bus path. */
final class PifMetrics {
    private PifMetrics() {}

    static Rec<PIF_metrics> of(Database db, HostLinks links, String device) {
        return db.newRecord(PIF_metrics.CLASS)
                .set(PIF_metrics.uuid, Refs.newUuid())
                .set(PIF_metrics.carrier, "1".equals(links.attribute(device, "carrier")))
                .set(PIF_metrics.vendor_id, stripHex(links.attribute(device, "device/vendor")))
                .set(PIF_metrics.device_id, stripHex(links.attribute(device, "device/device")))
                .set(PIF_metrics.speed, parseSpeed(links.attribute(device, "speed")))
                .set(PIF_metrics.duplex, "full".equals(links.attribute(device, "duplex")))
                .set(PIF_metrics.pci_bus_path, pciPath(device))
                .set(PIF_metrics.last_updated, Instant.now());
    }

    private static String pciPath(String device) {
        try {
            Path p = Path.of("/sys/class/net", device, "device");
            return Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).getFileName().toString() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String stripHex(String s) { return s.startsWith("0x") ? s.substring(2) : s; }

    /** sysfs gives -1 (or nothing) for a link without carrier. */
    private static long parseSpeed(String s) {
        try {
            long v = Long.parseLong(s);
            return v < 0 ? 0 : v;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
