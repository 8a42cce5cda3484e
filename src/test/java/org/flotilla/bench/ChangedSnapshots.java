package org.flotilla.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.flotilla.CbtBlocks;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.VDI;

/**
 * What the backup benches start from: a VDI of {@code size} random bytes (seed 1), a first snapshot, {@code pct}
 * percent of its 64 KiB blocks rewritten at random places (seed 2) in its top image by qemu-io, a second snapshot.
 */
record ChangedSnapshots(String vdi, String first, String second, TreeSet<Integer> changed, int blocks) {
    /** A XenAPI call under the bench's session. */
    interface Call {
        Object of(String method, Object... params);

        /** Calls to {@code daemon} under {@code session}. */
        static Call as(Daemon daemon, String session) {
            return (m, p) -> {
                var l = new ArrayList<Object>(List.of(session));
                l.addAll(List.of(p));
                return daemon.node().rpc().call(m, l);
            };
        }
    }

    /** Makes them in the pool's default SR, with CBT on the disk from the start if {@code cbt}; {@code dir} holds a file meanwhile. */
    static ChangedSnapshots make(Daemon daemon, Call call, long size, double pct, boolean cbt, Path dir) throws Exception {
        String pool = (String) ((List<?>) call.of("pool.get_all")).getFirst();
        String sr = (String) call.of("pool.get_default_SR", pool);
        String vdi = (String) call.of("VDI.create", Map.of("name_label", "bench", "SR", sr, "virtual_size", Long.toString(size),
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()));
        Path raw = dir.resolve("disk.raw");
        byte[] data = new byte[(int) size];
        new Random(1).nextBytes(data);
        Files.write(raw, data);
        data = null;
        daemon.node().storage().importRaw(raw, VDI.CLASS.ref(vdi));
        Files.delete(raw);
        if (cbt) call.of("VDI.enable_cbt", vdi);
        String first = (String) call.of("VDI.snapshot", vdi, Map.of());
        int blocks = (int) (size / CbtBlocks.BLOCK);
        var changed = new TreeSet<Integer>();
        var random = new Random(2);
        while (changed.size() < Math.max(1, Math.round(blocks * pct / 100))) changed.add(random.nextInt(blocks));
        run(CbtBlocks.rewrite(daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image(), changed));
        String second = (String) call.of("VDI.snapshot", vdi, Map.of());
        return new ChangedSnapshots(vdi, first, second, changed, blocks);
    }

    /** Runs a command, its output dropped; fails unless it exits 0. */
    static void run(List<String> cmd) throws Exception {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
}
