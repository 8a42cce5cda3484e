package org.flotilla.runtime.devices;

import com.fasterxml.jackson.databind.JsonNode;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;

/** Which block node backs a guest device now, from QMP query-block. */
public final class BlockNodes {
    private BlockNodes() {}

    /** The node a guest device reads now (after snapshots, an overlay's), or null if it has no medium. */
    public static String top(Qmp qmp, String deviceId) throws QmpException {
        for (JsonNode blk : qmp.execute("query-block")) {
            if (isDevice(blk.path("qdev").asText(""), deviceId)) {
                JsonNode ins = blk.get("inserted");
                return ins == null ? null : ins.path("node-name").asText(null);
            }
        }
        return null;
    }

    /** Whether a query-block {@code qdev} names the guest device {@code id}. */
    public static boolean isDevice(String qdev, String id) {
        return qdev.equals(id) || qdev.equals("/machine/peripheral/" + id) || qdev.startsWith("/machine/peripheral/" + id + "/");
    }
}
