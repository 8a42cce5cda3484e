package org.flotilla.host;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What this machine is: read from /proc and the network configuration at each start. */
public record HostFacts(String hostname, String address, long memoryTotal, long memoryFree, int cpuCount,
                        Map<String, String> cpuInfo, boolean hardwareVirtualization) {

    public static HostFacts read(String address) {
        String hostname = systemHostname();
        var mem = meminfo();
        List<String> cpu = lines(Path.of("/proc/cpuinfo"));
        int count = (int) cpu.stream().filter(l -> l.startsWith("processor")).count();
        String flags = first(cpu, "flags");
        var info = new LinkedHashMap<String, String>();
        info.put("cpu_count", Integer.toString(Math.max(count, 1)));
        info.put("socket_count", "1");
        info.put("vendor", first(cpu, "vendor_id"));
        info.put("modelname", first(cpu, "model name"));
        info.put("speed", first(cpu, "cpu MHz"));
        info.put("family", first(cpu, "cpu family"));
        info.put("model", first(cpu, "model"));
        info.put("stepping", first(cpu, "stepping"));
        info.put("flags", flags);
        info.put("features", "");
        boolean hvm = (" " + flags + " ").matches(".* (vmx|svm) .*");
        return new HostFacts(hostname, address, mem.getOrDefault("MemTotal", 0L) * 1024,
                mem.getOrDefault("MemAvailable", 0L) * 1024, Math.max(count, 1), info, hvm);
    }

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
