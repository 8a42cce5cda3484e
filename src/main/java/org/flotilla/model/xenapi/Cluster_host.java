package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.ClusterHostOperation;

/** The XenAPI's class Cluster_host. */
public interface Cluster_host {
    ApiClass<Cluster_host> CLASS = ApiClass.declare(Cluster_host.class, "Cluster_host");

    Field<Cluster_host, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Cluster_host, Ref<Cluster>> cluster = CLASS.ro("cluster", ref(Cluster.class));
    Field<Cluster_host, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<Cluster_host, Boolean> enabled = CLASS.dyn("enabled", BOOL);
    Field<Cluster_host, Ref<PIF>> PIF = CLASS.ro("PIF", ref(PIF.class));
    Field<Cluster_host, Boolean> joined = CLASS.dyn("joined", BOOL, true);
    Field<Cluster_host, Boolean> live = CLASS.dyn("live", BOOL);
    Field<Cluster_host, Instant> last_update_live = CLASS.dyn("last_update_live", DATETIME);
    Field<Cluster_host, List<ClusterHostOperation>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(ClusterHostOperation.class)));
    Field<Cluster_host, Map<String, ClusterHostOperation>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(ClusterHostOperation.class)));
    Field<Cluster_host, Map<String, String>> other_config = CLASS.ro("other_config", STRING_MAP);
}
