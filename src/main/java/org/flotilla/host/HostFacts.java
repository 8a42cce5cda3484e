package org.flotilla.host;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this machine is: read from /proc, /sys and the network configuration at each start. {@code bootTime} is when
 * the machine booted, in seconds since the epoch (0 if unknown).
 */
public record HostFacts(String hostname, String address, long memoryTotal, long memoryFree, int cpuCount,
                        Map<String, String> cpuInfo, boolean hardwareVirtualization, Map<String, String> biosStrings, long bootTime) {
    /** XAPI's value of a /proc/cpuinfo key it cannot find. */
    private static final String UNKNOWN = "unknown";

    /** This machine as another host of that name and address would see it: several hosts of a test on one machine. */
    public HostFacts as(String otherHostname, String otherAddress) {
        return new HostFacts(otherHostname, otherAddress, memoryTotal, memoryFree, cpuCount, cpuInfo, hardwareVirtualization, biosStrings, bootTime);
    }

    public static HostFacts read(String address) {
        String hostname = systemHostname();
        var mem = meminfo();
        List<String> cpu = lines(Path.of("/proc/cpuinfo"));
        int count = (int) cpu.stream().filter(l -> l.startsWith("processor")).count();
        String flags = first(cpu, "flags");
        long sockets = Math.max(1, cpu.stream().filter(l -> l.startsWith("physical id")).distinct().count());
        var info = new LinkedHashMap<String, String>();
        info.put("cpu_count", Integer.toString(Math.max(count, 1)));
        info.put("socket_count", Long.toString(sockets));
        info.put("threads_per_core", Long.toString(threadsPerCore(cpu)));
        info.put("nr_nodes", Long.toString(numaNodes()));
        info.put("vendor", known(first(cpu, "vendor_id")));
        info.put("speed", known(first(cpu, "cpu MHz")));
        info.put("modelname", known(first(cpu, "model name")));
        info.put("family", known(first(cpu, "cpu family")));
        info.put("model", known(first(cpu, "model")));
        info.put("stepping", known(first(cpu, "stepping")));
        info.put("flags", known(flags));
        // XAPI's CPUID feature words, by which it checks that a VM may move between hosts; not read here
        for (String k : List.of("features_pv", "features_hvm", "features_hvm_host", "features_pv_host")) info.put(k, "");
        boolean hvm = (" " + flags + " ").matches(".* (vmx|svm) .*");
        return new HostFacts(hostname, address, mem.getOrDefault("MemTotal", 0L) * 1024,
                mem.getOrDefault("MemAvailable", 0L) * 1024, Math.max(count, 1), info, hvm, biosStrings(Path.of("/sys/class/dmi/id")),
                readBootTime());
    }

    /**
     * host.bios_strings as XAPI fills them from the machine's DMI tables (here as the kernel exports them): the BIOS,
     * the system and the baseboard; "" for what the firmware leaves unspecified.
     */
    static Map<String, String> biosStrings(Path dmi) {
        var out = new LinkedHashMap<String, String>();
        String[][] keys = {{"bios-vendor", "bios_vendor"}, {"bios-version", "bios_version"}, {"system-manufacturer", "sys_vendor"},
                {"system-product-name", "product_name"}, {"system-version", "product_version"}, {"system-serial-number", "product_serial"},
                {"baseboard-manufacturer", "board_vendor"}, {"baseboard-product-name", "board_name"}, {"baseboard-version", "board_version"},
                {"baseboard-serial-number", "board_serial"}};
        for (String[] k : keys) out.put(k[0], dmiValue(dmi.resolve(k[1])));
        out.put("hp-rombios", "");
        return out;
    }

    private static String dmiValue(Path file) {
        try {
            String v = Files.readString(file).strip().replaceAll("\\p{Cntrl}", "");
            return v.equalsIgnoreCase("Not Specified") ? "" : v;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** When the machine booted (/proc/stat's btime), in seconds since the epoch; 0 if unknown. */
    private static long readBootTime() {
        for (String l : lines(Path.of("/proc/stat"))) {
            if (l.startsWith("btime ")) {
                try {
                    return Long.parseLong(l.substring(6).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static long threadsPerCore(List<String> cpu) {
        try {
            long siblings = Long.parseLong(first(cpu, "siblings"));
            long cores = Long.parseLong(first(cpu, "cpu cores"));
            return cores > 0 ? Math.max(1, siblings / cores) : 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static long numaNodes() {
        try (var nodes = Files.list(Path.of("/sys/devices/system/node"))) {
            return Math.max(1, nodes.filter(p -> p.getFileName().toString().matches("node\\d+")).count());
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    private static String known(String value) { return value.isEmpty() ? UNKNOWN : value; }

    private static String systemHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static Map<String, Long> meminfo() {
        var out = new LinkedHashMap<String, Long>();
        for (String l : lines(Path.of("/proc/meminfo"))) {
            String[] p = l.split("[:\\s]+");
            if (p.length >= 2) {
                try { out.put(p[0], Long.parseLong(p[1])); } catch (NumberFormatException ignored) { }
            }
        }
        return out;
    }

    private static String first(List<String> lines, String key) {
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equals(key)) return l.substring(colon + 1).trim();
        }
        return "";
    }

    private static List<String> lines(Path p) {
        try { return Files.readAllLines(p); } catch (IOException e) { return List.of(); }
    }
}
