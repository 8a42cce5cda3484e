package org.flotilla.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.XenApi;

/**
 * This host's own records: the host, its metrics and CPUs, and its control-domain VM, which clients
 * expect as XAPI presents dom0. Made at first start; the facts that can change (memory, address,
 * software version) are refreshed at every start.
 */
public final class LocalHost {
    public static final String PRODUCT_VERSION = "8.3.0";
    public static final String PLATFORM_VERSION = "3.4.0";
    public static final String XAPI_VERSION = "25.0";

    private LocalHost() {}

    /** Returns the ref of this host's record, making the records it lacks. */
    public static String ensure(Database db, Path stateDir, HostFacts facts) {
        String uuid = hostUuid(stateDir);
        String hostRef = db.refByUuid("host", uuid).orElseGet(Refs::newRef);
        DbObject<?> existing = db.get("host", hostRef);
        String metricsRef = existing == null ? Refs.newRef() : existing.string("metrics");
        String dom0Ref = existing == null ? Refs.newRef() : existing.string("control_domain");
        db.write(tx -> {
            var host = new LinkedHashMap<String, Object>(existing == null ? Map.of() : existing.fields());
            if (existing == null) {
                host.put("uuid", uuid);
                host.put("name_label", facts.hostname());
                host.put("metrics", metricsRef);
                host.put("control_domain", dom0Ref);
                host.put("enabled", true);
                host.put("capabilities", List.of("hvm-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p"));
                host.put("license_params", Map.of("sku_type", "free", "expiry", "30000101T00:00:00Z"));
                host.put("edition", "xcp-ng");
                host.put("editions", List.of("xcp-ng"));
                host.put("chipset_info", Map.of("iommu", "false"));
                host.put("sched_policy", "credit");
                host.put("supported_bootloaders", List.of("pygrub", "eliloader"));
                host.put("https_only", true);
            }
            host.put("hostname", facts.hostname());
            host.put("address", facts.address());
            host.put("API_version_major", XenApi.API_VERSION_MAJOR);
            host.put("API_version_minor", XenApi.API_VERSION_MINOR);
            host.put("API_version_vendor", "XenSource");
            host.put("software_version", softwareVersion(facts));
            host.put("cpu_info", facts.cpuInfo());
            tx.put("host", hostRef, host);
            tx.put("host_metrics", metricsRef, Map.of(
                    "uuid", existing == null ? Refs.newUuid() : metricsUuid(db, metricsRef),
                    "memory_total", facts.memoryTotal(),
                    "memory_free", facts.memoryFree(),
                    "live", true,
                    "last_updated", Instant.now()));
            if (existing == null) {
                tx.put("VM", dom0Ref, controlDomain(facts, hostRef));
                for (int i = 0; i < facts.cpuCount(); i++) {
                    tx.put("host_cpu", Refs.newRef(), Map.of("uuid", Refs.newUuid(), "host", hostRef, "number", (long) i,
                            "vendor", facts.cpuInfo().get("vendor"), "modelname", facts.cpuInfo().get("modelname"),
                            "flags", facts.cpuInfo().get("flags")));
                }
            }
        });
        return hostRef;
    }

    private static String metricsUuid(Database db, String ref) {
        DbObject<?> m = db.get("host_metrics", ref);
        return m == null ? Refs.newUuid() : m.uuid();
    }

    private static Map<String, String> softwareVersion(HostFacts facts) {
        var v = new LinkedHashMap<String, String>();
        v.put("product_version", PRODUCT_VERSION);
        v.put("product_version_text", PRODUCT_VERSION);
        v.put("product_version_text_short", PRODUCT_VERSION);
        v.put("platform_name", "Flotilla");
        v.put("platform_version", PLATFORM_VERSION);
        v.put("product_brand", "Flotilla");
        v.put("build_number", "flotilla");
        v.put("hostname", facts.hostname());
        v.put("date", "2026-11-23");
        v.put("xapi", XAPI_VERSION);
        v.put("xapi_build", XAPI_VERSION + ".0");
        v.put("xen", "qemu");
        v.put("linux", System.getProperty("os.version"));
        return v;
    }

    private static Map<String, Object> controlDomain(HostFacts facts, String hostRef) {
        var vm = new LinkedHashMap<String, Object>();
        long mem = Math.min(facts.memoryTotal(), 1L << 30);
        vm.put("uuid", Refs.newUuid());
        vm.put("name_label", "Control domain on host: " + facts.hostname());
        vm.put("name_description", "The domain which manages physical devices and manages other domains");
        vm.put("power_state", "Running");
        vm.put("is_control_domain", true);
        vm.put("resident_on", hostRef);
        vm.put("domid", 0L);
        vm.put("memory_static_min", mem);
        vm.put("memory_static_max", mem);
        vm.put("memory_dynamic_min", mem);
        vm.put("memory_dynamic_max", mem);
        vm.put("memory_target", mem);
        vm.put("VCPUs_max", (long) facts.cpuCount());
        vm.put("VCPUs_at_startup", (long) facts.cpuCount());
        vm.put("actions_after_shutdown", "destroy");
        vm.put("actions_after_reboot", "restart");
        vm.put("actions_after_crash", "restart");
        vm.put("domain_type", "pv");
        vm.put("allowed_operations", List.of());
        return vm;
    }

    /** This host's identity, kept beside the database so that a restart finds its record again. */
    private static String hostUuid(Path stateDir) {
        Path f = stateDir.resolve("host-uuid");
        try {
            if (Files.exists(f)) return Files.readString(f, StandardCharsets.US_ASCII).trim();
            String uuid = Refs.newUuid();
            Files.writeString(f, uuid + "\n", StandardCharsets.US_ASCII);
            return uuid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
