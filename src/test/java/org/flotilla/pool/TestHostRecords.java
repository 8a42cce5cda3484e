package org.flotilla.pool;

import java.util.List;
import org.flotilla.storage.LocalFileSr;

/** A host's records in the pool's database as a client finds them: its own local SR, its management network. */
public final class TestHostRecords {
    private TestHostRecords() {}

    /** The unshared local SR of host {@code of}, asked of {@code ask}. */
    public static String localSr(TestHost ask, TestHost of) {
        for (Object pbd : (List<?>) ask.call("PBD.get_all")) {
            if (!of.hostRef().equals(ask.call("PBD.get_host", pbd))) continue;
            String sr = (String) ask.call("PBD.get_SR", pbd);
            if (LocalFileSr.TYPE.equals(ask.call("SR.get_type", sr)) && !Boolean.TRUE.equals(ask.call("SR.get_shared", sr))) return sr;
        }
        throw new AssertionError("no SR of " + of + "'s own");
    }

    /** The network of host {@code of}'s management PIF, asked of {@code ask}. */
    public static String managementNetwork(TestHost ask, TestHost of) {
        for (Object pif : (List<?>) ask.call("PIF.get_all")) {
            if (of.hostRef().equals(ask.call("PIF.get_host", pif)) && Boolean.TRUE.equals(ask.call("PIF.get_management", pif))) {
                return (String) ask.call("PIF.get_network", pif);
            }
        }
        throw new AssertionError("no management PIF of " + of);
    }
}
