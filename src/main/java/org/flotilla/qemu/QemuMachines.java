package org.flotilla.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What a QEMU binary says of its machine types (QMP query-machines, from a QEMU that runs no guest), asked once per
 * binary: how many CPUs each takes at most, which depends on QEMU's version (q35: 288 in 7.2, 1024 from 8.1).
 */
public final class QemuMachines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Map<String, Long>> MAX_CPUS = new ConcurrentHashMap<>();

    private QemuMachines() {}

    /** The most CPUs {@code machine} (a name or alias, e.g. q35) takes in {@code qemuBinary}; empty if QEMU cannot say. */
    public static OptionalLong maxCpus(String qemuBinary, String machine) {
        Long max = MAX_CPUS.computeIfAbsent(qemuBinary, QemuMachines::ask).get(machine);
        return max == null ? OptionalLong.empty() : OptionalLong.of(max);
    }

    private static Map<String, Long> ask(String qemuBinary) {
        var out = new ConcurrentHashMap<String, Long>();
        Process p = null;
        try {
            p = new ProcessBuilder(List.of(qemuBinary, "-machine", "none", "-nodefaults", "-display", "none", "-qmp", "stdio"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().write(("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-machines\"}\n{\"execute\":\"quit\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                JsonNode reply = JSON.readTree(line);
                if (!reply.path("return").isArray()) continue;
                for (JsonNode m : reply.path("return")) {
                    long max = m.path("cpu-max").asLong(0);
                    if (max <= 0) continue;
                    out.put(m.path("name").asText(), max);
                    if (m.hasNonNull("alias")) out.put(m.path("alias").asText(), max);
                }
                break;
            }
        } catch (IOException e) {
            System.getLogger(QemuMachines.class.getName()).log(System.Logger.Level.WARNING, "cannot ask " + qemuBinary + " for its machines: " + e);
        } finally {
            if (p != null) {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return out;
    }
}
