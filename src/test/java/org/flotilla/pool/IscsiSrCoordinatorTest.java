package org.flotilla.pool;

import static org.flotilla.pool.SharedDatabaseTest.assertBelongsTo;
import static org.flotilla.pool.SharedDatabaseTest.call;
import static org.flotilla.pool.SharedDatabaseTest.fails;
import static org.flotilla.pool.SharedDatabaseTest.login;
import static org.flotilla.pool.SharedDatabaseTest.vdiArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.flotilla.daemon.Node;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.storage.IscsiTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts' Nodes on one database, both with an lvmoiscsi SR plugged: the member reads the LUN's table (a scan finds
 * the coordinator's disks) but every change to it is the coordinator's, so the member raises the error that forwards
 * VDI.create and VDI.destroy there, even though it reaches the LUN itself.
 */
@Slow
class IscsiSrCoordinatorTest {
    private static final Pattern SCSI_ID = Pattern.compile("<SCSIid>([^<]+)</SCSIid>");
    @TempDir Path dir;

    @Test
    void onlyTheCoordinatorWritesTheLunsTable() throws Exception {
        try (var hosts = new NodesOnOneDatabase(dir); IscsiTarget target = IscsiTarget.onItsOwnNetwork(List.of(32L << 20), null, null)) {
            Node a = hosts.start(0);
            Node b = hosts.start(1);
            assertEquals(a.host(), hosts.db.all(Pool.CLASS).getFirst().get(Pool.master), "the first host is the coordinator");
            String sa = login(a);
            String sb = login(b);
            var config = new HashMap<>(Map.of("target", target.address(), "targetIQN", IscsiTarget.IQN));
            ApiError luns = fails(b, "SR.probe", sb, b.hostRef(), config, "lvmoiscsi", Map.of());
            Matcher m = SCSI_ID.matcher(luns.params().get(2));
            assertTrue(m.find(), luns.toString());
            config.put("SCSIid", m.group(1));
            Ref<SR> sr = SR.CLASS.ref((String) call(a, "SR.create", sa, a.hostRef(), config, 0L, "iscsi", "", "lvmoiscsi", "user", true, Map.of()));
            DbObject<PBD> ofB = hosts.db.referring(PBD.SR, sr).stream().filter(p -> b.host().equals(p.get(PBD.host))).findFirst().orElseThrow();
            call(b, "PBD.plug", sb, ofB.ref());
            assertTrue(hosts.db.require(ofB.self(PBD.CLASS)).get(PBD.currently_attached));

            assertBelongsTo(a, fails(b, "VDI.create", sb, vdiArgs(sr, "asked of the member")));
            String vdi = (String) call(a, "VDI.create", sa, vdiArgs(sr, "made by the coordinator"));
            call(b, "SR.scan", sb, sr.value());
            assertEquals(List.of(vdi), call(b, "SR.get_VDIs", sb, sr.value()), "the member's scan reads the table and keeps the disk");
            assertBelongsTo(a, fails(b, "VDI.destroy", sb, vdi));
            assertBelongsTo(a, fails(b, "VDI.copy", sb, vdi, sr.value()));
            call(a, "VDI.destroy", sa, vdi);
            assertEquals(List.of(), call(b, "SR.get_VDIs", sb, sr.value()));
            call(b, "PBD.unplug", sb, ofB.ref());
        }
    }
}
