package org.flotilla.model.xenapi;

import static org.flotilla.model.Type.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ClassDef;

final class StorageClasses {
    private StorageClasses() {}

    static List<ClassDef.Builder> all() {
        return List.of(sm(), sr(), srStat(), probeResult(), lvhd(), vdi(), vbd(), vbdMetrics(), pbd(), vdiNbdServerInfo(), pvsSite(), pvsServer(), pvsProxy(), pvsCacheStorage());
    }

    static ClassDef.Builder sm() {
        return ClassDef.of("SM", "")
                .dyn("name_label", STRING)
                .dyn("name_description", STRING)
                .dyn("type", STRING)
                .dyn("vendor", STRING)
                .dyn("copyright", STRING)
                .dyn("version", STRING)
                .dyn("required_api_version", STRING)
                .dyn("configuration", mapOf(STRING, STRING))
                .dyn("capabilities", setOf(STRING))
                .dyn("features", mapOf(STRING, INT))
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("driver_filename", STRING)
                .dyn("required_cluster_stack", setOf(STRING));
    }

    static ClassDef.Builder sr() {
        return ClassDef.of("SR", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .dyn("allowed_operations", setOf(Enums.STORAGE_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.STORAGE_OPERATIONS))
                .relation("VDIs", "VDI", "SR")
                .relation("PBDs", "PBD", "SR")
                .dyn("virtual_allocation", INT)
                .dyn("physical_utilisation", INT)
                .ro("physical_size", INT)
                .ro("type", STRING)
                .ro("content_type", STRING)
                .dyn("shared", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .rw("tags", setOf(STRING))
                .rw("sm_config", mapOf(STRING, STRING))
                .dyn("blobs", mapOf(STRING, ref("blob")))
                .dyn("local_cache_enabled", BOOL)
                .dyn("introduced_by", ref("DR_task"))
                .dyn("clustered", BOOL)
                .dyn("is_tools_sr", BOOL);
    }

    static ClassDef.Builder srStat() {
        return ClassDef.of("sr_stat", "")
                .notStored()
                .dyn("name_label", STRING)
                .dyn("name_description", STRING)
                .dyn("free_space", INT)
                .dyn("total_space", INT)
                .dyn("clustered", BOOL)
                .dyn("health", Enums.SR_HEALTH);
    }

    static ClassDef.Builder probeResult() {
        return ClassDef.of("probe_result", "")
                .notStored()
                .dyn("configuration", mapOf(STRING, STRING))
                .dyn("complete", BOOL)
                .dyn("sr", record("sr_stat"))
                .dyn("extra_info", mapOf(STRING, STRING));
    }

    static ClassDef.Builder lvhd() {
        return ClassDef.of("LVHD", "")
                .unlisted();
    }

    static ClassDef.Builder vdi() {
        return ClassDef.of("VDI", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .dyn("allowed_operations", setOf(Enums.VDI_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VDI_OPERATIONS))
                .ro("SR", ref("SR"))
                .relation("VBDs", "VBD", "VDI")
                .relation("crash_dumps", "crashdump", "VDI")
                .ro("virtual_size", INT)
                .dyn("physical_utilisation", INT)
                .ro("type", Enums.VDI_TYPE)
                .ro("sharable", BOOL)
                .ro("read_only", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("storage_lock", BOOL)
                .dyn("location", STRING)
                .dyn("managed", BOOL)
                .dyn("missing", BOOL)
                .dyn("parent", ref("VDI"))
                .rw("xenstore_data", mapOf(STRING, STRING))
                .rw("sm_config", mapOf(STRING, STRING))
                .dyn("is_a_snapshot", BOOL)
                .dyn("snapshot_of", ref("VDI"))
                .relation("snapshots", "VDI", "snapshot_of")
                .dyn("snapshot_time", DATETIME)
                .rw("tags", setOf(STRING))
                .dyn("allow_caching", BOOL)
                .dyn("on_boot", Enums.ON_BOOT, "persist")
                .dyn("metadata_of_pool", ref("pool"))
                .dyn("metadata_latest", BOOL)
                .dyn("is_tools_iso", BOOL)
                .dyn("cbt_enabled", BOOL);
    }

    static ClassDef.Builder vbd() {
        return ClassDef.of("VBD", "")
                .dyn("metrics", ref("VBD_metrics")) // removed from XAPI 8 but read by clients of 7.x
                .dyn("allowed_operations", setOf(Enums.VBD_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VBD_OPERATIONS))
                .ro("VM", ref("VM"))
                .ro("VDI", ref("VDI"))
                .ro("device", STRING)
                .rw("userdevice", STRING)
                .rw("bootable", BOOL)
                .ro("mode", Enums.VBD_MODE)
                .rw("type", Enums.VBD_TYPE)
                .rw("unpluggable", BOOL, true)
                .dyn("storage_lock", BOOL)
                .ro("empty", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .ro("currently_attached", BOOL)
                .dyn("status_code", INT)
                .dyn("status_detail", STRING)
                .dyn("runtime_properties", mapOf(STRING, STRING))
                .rw("qos_algorithm_type", STRING)
                .rw("qos_algorithm_params", mapOf(STRING, STRING))
                .dyn("qos_supported_algorithms", setOf(STRING));
    }

    static ClassDef.Builder vbdMetrics() {
        return ClassDef.of("VBD_metrics", "");
    }

    static ClassDef.Builder pbd() {
        return ClassDef.of("PBD", "")
                .ro("host", ref("host"))
                .ro("SR", ref("SR"))
                .ro("device_config", mapOf(STRING, STRING))
                .dyn("currently_attached", BOOL)
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder vdiNbdServerInfo() {
        return ClassDef.of("vdi_nbd_server_info", "")
                .notStored()
                .dyn("exportname", STRING)
                .dyn("address", STRING)
                .dyn("port", INT)
                .dyn("cert", STRING)
                .dyn("subject", STRING);
    }

    static ClassDef.Builder pvsSite() {
        return ClassDef.of("PVS_site", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .ro("PVS_uuid", STRING)
                .relation("cache_storage", "PVS_cache_storage", "site")
                .relation("servers", "PVS_server", "site")
                .relation("proxies", "PVS_proxy", "site");
    }

    static ClassDef.Builder pvsServer() {
        return ClassDef.of("PVS_server", "")
                .ro("addresses", setOf(STRING))
                .ro("first_port", INT)
                .ro("last_port", INT)
                .ro("site", ref("PVS_site"));
    }

    static ClassDef.Builder pvsProxy() {
        return ClassDef.of("PVS_proxy", "")
                .ro("site", ref("PVS_site"))
                .ro("VIF", ref("VIF"))
                .dyn("currently_attached", BOOL)
                .dyn("status", Enums.PVS_PROXY_STATUS, "stopped");
    }

    static ClassDef.Builder pvsCacheStorage() {
        return ClassDef.of("PVS_cache_storage", "")
                .ro("host", ref("host"))
                .ro("SR", ref("SR"))
                .ro("site", ref("PVS_site"))
                .ro("size", INT, 21474836480L)
                .dyn("VDI", ref("VDI"));
    }
}
