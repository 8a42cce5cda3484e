package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.ClusterHostOperation;

/** A host's membership of a cluster; Flotilla makes none. */
public interface Cluster_host {
    ApiClass<Cluster_host> CLASS = ApiClass.declare(Cluster_host.class, "Cluster_host")
            .doc("A host's membership of a cluster; Flotilla makes none.");

    Field<Cluster_host, String> uuid = CLASS.dyn("uuid", STRING).doc("The cluster member's unique identifier, fixed for its whole life.");
    Field<Cluster_host, Ref<Cluster>> cluster = CLASS.ro("cluster", ref(Cluster.class)).doc("The cluster.");
    Field<Cluster_host, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The member host.");
    Field<Cluster_host, Boolean> enabled = CLASS.dyn("enabled", BOOL).doc("Whether the member takes part.");
    Field<Cluster_host, Ref<PIF>> PIF = CLASS.ro("PIF", ref(PIF.class)).doc("The interface the member talks to the cluster on.");
    Field<Cluster_host, Boolean> joined = CLASS.dyn("joined", BOOL, true).doc("Whether the member has joined.");
    Field<Cluster_host, Boolean> live = CLASS.dyn("live", BOOL).doc("Whether the member is up.");
    Field<Cluster_host, Instant> last_update_live = CLASS.dyn("last_update_live", DATETIME).doc("When live last changed.");
    Field<Cluster_host, List<ClusterHostOperation>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(ClusterHostOperation.class)))
            .doc("The operations that may be started on the cluster member now.");
    Field<Cluster_host, Map<String, ClusterHostOperation>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(ClusterHostOperation.class)))
            .doc("The operations under way on the cluster member, each under the reference of the task that runs it.");
    Field<Cluster_host, Map<String, String>> other_config = CLASS.ro("other_config", STRING_MAP).doc("Key/value pairs kept on the member.");
}
