package org.flotilla.metrics;

import static org.flotilla.metrics.RrdTest.BYTES;
import static org.flotilla.metrics.RrdTest.CPU;
import static org.flotilla.metrics.RrdTest.LOAD;
import static org.flotilla.metrics.RrdTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.flotilla.api.Refs;
import org.flotilla.daemon.InProcessNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RRDs saved across a daemon restart: written whole, read back exactly, and a bad file never stops a start. */
class RrdFilesTest extends InProcessNode {
    private static final String HOST = "b2f7c0aa-0000-4000-8000-000000000001";
    private static final String VM = "b2f7c0aa-0000-4000-8000-000000000002";
    private static final DataSource MARKER = DataSource.gauge("flotilla_test_marker", "", "");

    @AfterEach
    void down() { if (node != null) node.close(); }

    private static void feed(Rrds rrds, long from, long to) {
        for (long t = from; t <= to; t += 5) {
            rrds.update(t, Map.of(LOAD, (double) (t % 7), CPU, t / 2.0), Map.of(VM, Map.of(BYTES, 1000.0 * (t - T0))), false);
        }
    }

    @Test
    void savedRrdsLoadExactlyAndContinueTheirHistory() throws Exception {
        var before = new Rrds(HOST);
        feed(before, T0, T0 + 3600);
        var files = new RrdFiles(dir.resolve("rrd"));
        files.save(before);
        assertEquals(Set.of(HOST + ".gz", VM + ".gz"), Set.of(dir.resolve("rrd").toFile().list()));

        var after = new Rrds(HOST);
        files.load(after, VM::equals);
        assertSameDumps(before.dumps(), after.dumps());
        // the VM's RRD is put aside until the VM runs here again; then both go on as if nothing happened
        assertTrue(after.with(VM, rrd -> rrd).isEmpty());
        feed(before, T0 + 3605, T0 + 7200);
        feed(after, T0 + 3605, T0 + 7200);
        // the rows agree; the points being built may differ in the last digits, dumps printing 15 of them
        assertSameDumps(rowsOnly(before.dumps()), rowsOnly(after.dumps()));
        assertEquals(1000.0, after.with(VM, rrd -> rrd.latest("bytes").orElseThrow()).orElseThrow());

        // a VM that no longer exists is not loaded, and its file goes at the next save
        var without = new Rrds(HOST);
        files.load(without, uuid -> false);
        assertEquals(Set.of(HOST), without.dumps().keySet());
        files.save(without);
        assertEquals(List.of(HOST + ".gz"), List.of(dir.resolve("rrd").toFile().list()));
    }

    @Test
    void unreadableFilesAreSkipped() throws Exception {
        var rrds = new Rrds(HOST);
        feed(rrds, T0, T0 + 60);
        Path rrdDir = dir.resolve("rrd");
        new RrdFiles(rrdDir).save(rrds);
        String goodVm = rrds.dumps().get(VM);
        Files.write(rrdDir.resolve(HOST + ".gz"), "not gzip".getBytes());
        String otherVm = Refs.newUuid();
        Files.write(rrdDir.resolve(otherVm + ".gz"), gzip(goodVm.replace("<row>", "<row><v>1.0</v>")));

        var loaded = new Rrds(HOST);
        new RrdFiles(rrdDir).load(loaded, uuid -> true);
        assertEquals(Map.of(VM, goodVm), loaded.dumps());
    }

    @Test
    void aNodeSavesItsHostRrdWhenClosedAndTheNextOneGoesOn() throws Exception {
        boot();
        Metrics metrics = node.metrics();
        Rrds rrds = metrics.rrds();
        String host = rrds.hostUuid();
        metrics.sample();
        // a series only this node recorded, two steps of it so that a row holds it
        double t = Rrd.pointStart(rrds.with(host, Rrd::lastUpdated).orElseThrow()) + Rrd.STEP;
        for (double at : List.of(t, t + Rrd.STEP, t + 2 * Rrd.STEP)) rrds.update(at, Map.of(MARKER, 42.0), Map.of(), false);
        node.close();
        node = null;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(dir.resolve("rrd").resolve(host + ".gz")))) {
            assertEquals(rrds.with(host, RrdDump::xml).orElseThrow(), new String(in.readAllBytes()), "saved whole at close");
        }

        boot();
        Rrds next = node.metrics().rrds();
        assertEquals(host, next.hostUuid());
        List<Double> marker = next.with(host, rrd -> {
            Archive fine = RrdTest.archive(rrd, Consolidation.AVERAGE, 1);
            int i = rrd.indexOf(MARKER.name());
            return java.util.stream.IntStream.range(0, fine.rows).mapToObj(age -> fine.row(i, age)).filter(v -> !v.isNaN()).toList();
        }).orElseThrow();
        assertTrue(marker.contains(42.0), "the next node goes on from the saved history: " + marker);
    }

    private static Map<String, String> rowsOnly(Map<String, String> dumps) {
        var out = new java.util.LinkedHashMap<String, String>();
        dumps.forEach((uuid, xml) -> out.put(uuid, xml.replaceAll("<cdp_prep>.*?</cdp_prep>", "").replaceAll("<value>[^<]*</value>", "")));
        return out;
    }

    /** Equal dumps, or the first place where they differ (whole dumps are too long to read in a report). */
    private static void assertSameDumps(Map<String, String> expected, Map<String, String> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((uuid, e) -> {
            String a = actual.get(uuid);
            int i = 0;
            while (i < Math.min(e.length(), a.length()) && e.charAt(i) == a.charAt(i)) i++;
            if (i < e.length() || i < a.length()) {
                int from = Math.max(0, i - 200);
                assertEquals(e.substring(from, Math.min(e.length(), i + 100)), a.substring(from, Math.min(a.length(), i + 100)), uuid);
            }
        });
    }

    private static byte[] gzip(String text) throws Exception {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes());
        }
        return out.toByteArray();
    }
}
