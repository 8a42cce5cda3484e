package org.flotilla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A VM's history (its RRD) as it goes from the host it ran on to the one it migrated to. */
class RrdsTest {
    private static final double T0 = 1_800_000_000;
    private static final DataSource CPU = DataSource.gauge("cpu0", "(fraction)", "CPU 0");

    @Test
    void aHistoryFromAnotherHostTakesThePlaceOfWhatThisOneSampledAndGoesOn() throws Exception {
        var there = new Rrds("host-a");
        for (int s = 0; s <= 60; s += 5) there.update(T0 + s, Map.of(), Map.of("vm", Map.of(CPU, 0.25)), false);
        var here = new Rrds("host-b");
        // the VM arrived: this host sampled it once before the history came
        here.update(T0 + 65, Map.of(), Map.of("vm", Map.of(CPU, 0.75)), false);
        String history = there.dump("vm").orElseThrow();
        here.adopt("vm", RrdDumpReader.read(new ByteArrayInputStream(history.getBytes(StandardCharsets.UTF_8))));
        assertEquals(history, here.dump("vm").orElseThrow(), "taken up as it was sent");
        here.update(T0 + 70, Map.of(), Map.of("vm", Map.of(CPU, 0.75)), false);
        here.update(T0 + 75, Map.of(), Map.of("vm", Map.of(CPU, 0.75)), false);

        var rows = here.export(false, List.of("vm"), (long) T0, 5, Consolidation.AVERAGE).data();
        var byTime = new java.util.TreeMap<Long, Double>();
        for (var r : rows) byTime.put(r.time(), r.values()[0]);
        assertEquals(0.25, byTime.get((long) T0 + 30), 1e-9, "what it ran there: " + byTime);
        assertEquals(0.75, byTime.get((long) T0 + 75), 1e-9, "and here, on the same series: " + byTime);

        there.forget("vm");
        assertTrue(there.dump("vm").isEmpty(), "the host it left keeps none");
    }
}
