package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.ClusterOperation;

/** The XenAPI's class Cluster. */
public interface Cluster {
    ApiClass<Cluster> CLASS = ApiClass.declare(Cluster.class, "Cluster");

    Field<Cluster, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Relation<Cluster, Cluster_host> cluster_hosts = CLASS.relation("cluster_hosts", () -> Cluster_host.cluster);
    Field<Cluster, List<String>> pending_forget = CLASS.dyn("pending_forget", STRING_SET);
    Field<Cluster, String> cluster_token = CLASS.ro("cluster_token", STRING);
    Field<Cluster, String> cluster_stack = CLASS.ro("cluster_stack", STRING, "corosync");
    Field<Cluster, Boolean> is_quorate = CLASS.dyn("is_quorate", BOOL);
    Field<Cluster, Long> quorum = CLASS.dyn("quorum", INT);
    Field<Cluster, Long> live_hosts = CLASS.dyn("live_hosts", INT);
    Field<Cluster, List<ClusterOperation>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(ClusterOperation.class)));
    Field<Cluster, Map<String, ClusterOperation>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(ClusterOperation.class)));
    Field<Cluster, Boolean> pool_auto_join = CLASS.ro("pool_auto_join", BOOL, true);
    Field<Cluster, Double> token_timeout = CLASS.ro("token_timeout", FLOAT, 20.0);
    Field<Cluster, Double> token_timeout_coefficient = CLASS.ro("token_timeout_coefficient", FLOAT, 1.0);
    Field<Cluster, Map<String, String>> cluster_config = CLASS.ro("cluster_config", STRING_MAP);
    Field<Cluster, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}
