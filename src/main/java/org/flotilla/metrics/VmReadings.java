package org.flotilla.metrics;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.runtime.domain.GuestCounters;
import org.flotilla.vm.VbdRecords;

/**
 * A VM's readings: its QEMU's counters, plus each VIF's tap statistics. The tap's receive side is what the
 * guest sent, so rx and tx swap, as XAPI's netdev plugin swaps them for vif devices.
 */
final class VmReadings {
    private final Path sysClassNet;

    VmReadings(Path sysClassNet) { this.sysClassNet = sysClassNet; }

    /** {@code taps}: VIF device number → tap device name, for the VIFs attached now. */
    Map<DataSource, Double> read(GuestCounters c, Map<String, String> taps) {
        var out = new LinkedHashMap<DataSource, Double>();
        for (int i = 0; i < c.vcpuSeconds().size(); i++) {
            out.put(DataSource.fraction("cpu" + i, "CPU" + i + " usage"), c.vcpuSeconds().get(i));
        }
        if (c.memoryBytes() >= 0) out.put(DataSource.gauge("memory", "B", "Memory currently allocated to VM"), (double) c.memoryBytes());
        if (c.freeKib() >= 0) {
            out.put(DataSource.gauge("memory_internal_free", "KiB", "Memory the guest reports free (virtio balloon statistics)"),
                    (double) c.freeKib());
        }
        c.disks().forEach((userdevice, b) -> {
            // named as XAPI names a VBD's disk in its series, whatever bus the guest sees (0 → xvda)
            String dev = VbdRecords.linuxDevice(userdevice);
            out.put(DataSource.rate("vbd_" + dev + "_read", "B/s", "Reads from device " + dev + ", in B/s"), (double) b.read());
            out.put(DataSource.rate("vbd_" + dev + "_write", "B/s", "Writes to device " + dev + ", in B/s"), (double) b.written());
        });
        taps.forEach((device, tap) -> {
            Path stats = sysClassNet.resolve(tap).resolve("statistics");
            out.put(DataSource.rate("vif_" + device + "_rx", "B/s", "Bytes per second received on virtual interface number " + device),
                    HostReadings.counter(stats.resolve("tx_bytes")));
            out.put(DataSource.rate("vif_" + device + "_tx", "B/s", "Bytes per second sent on virtual interface number " + device),
                    HostReadings.counter(stats.resolve("rx_bytes")));
        });
        return out;
    }
}
