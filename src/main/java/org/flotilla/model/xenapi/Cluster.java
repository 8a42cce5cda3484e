package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.ClusterOperation;

/** A cluster of the pool's hosts (corosync) for clustered storage; Flotilla makes none. */
public interface Cluster {
    ApiClass<Cluster> CLASS = ApiClass.declare(Cluster.class, "Cluster")
            .doc("A cluster of the pool's hosts (corosync) for clustered storage; Flotilla makes none.");

    Field<Cluster, String> uuid = CLASS.dyn("uuid", STRING).doc("The cluster's unique identifier, fixed for its whole life.");
    Relation<Cluster, Cluster_host> cluster_hosts = CLASS.relation("cluster_hosts", () -> Cluster_host.cluster)
            .doc("The cluster's members.");
    Field<Cluster, List<String>> pending_forget = CLASS.dyn("pending_forget", STRING_SET).doc("Members being removed from the cluster.");
    Field<Cluster, String> cluster_token = CLASS.ro("cluster_token", STRING).doc("The secret the members share.");
    Field<Cluster, String> cluster_stack = CLASS.ro("cluster_stack", STRING, "corosync").doc("The cluster software (corosync).");
    Field<Cluster, Boolean> is_quorate = CLASS.dyn("is_quorate", BOOL).doc("Whether enough members are up for the cluster to act.");
    Field<Cluster, Long> quorum = CLASS.dyn("quorum", INT).doc("How many members must be up for the cluster to act.");
    Field<Cluster, Long> live_hosts = CLASS.dyn("live_hosts", INT).doc("How many members are up.");
    Field<Cluster, List<ClusterOperation>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(ClusterOperation.class)))
            .doc("The operations that may be started on the cluster now.");
    Field<Cluster, Map<String, ClusterOperation>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(ClusterOperation.class)))
            .doc("The operations under way on the cluster, each under the reference of the task that runs it.");
    Field<Cluster, Boolean> pool_auto_join = CLASS.ro("pool_auto_join", BOOL, true).doc("Whether hosts joining the pool join the cluster.");
    Field<Cluster, Double> token_timeout = CLASS.ro("token_timeout", FLOAT, 20.0)
            .doc("How long a member may be silent before it is thought gone, in seconds.");
    Field<Cluster, Double> token_timeout_coefficient = CLASS.ro("token_timeout_coefficient", FLOAT, 1.0)
            .doc("How much the timeout grows with each member, in seconds.");
    Field<Cluster, Map<String, String>> cluster_config = CLASS.ro("cluster_config", STRING_MAP).doc("The cluster software's settings.");
    Field<Cluster, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the cluster.");
}
