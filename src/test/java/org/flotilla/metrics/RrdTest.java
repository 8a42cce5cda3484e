package org.flotilla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The round-robin arithmetic and the export formats, driven by explicit times: no sleeping, no host. */
class RrdTest {
    static final DataSource LOAD = DataSource.gauge("load", "", "");
    static final DataSource BYTES = DataSource.rate("bytes", "B/s", "");
    static final DataSource CPU = DataSource.fraction("cpu0", "");
    /** A time on a minute boundary, so that 5 s and 60 s rows start together. */
    static final long T0 = 1_800_000_000L / 60 * 60;

    static Archive archive(Rrd rrd, Consolidation cf, int perRow) {
        return rrd.archives().stream().filter(a -> a.cf == cf && a.perRow == perRow).findFirst().orElseThrow();
    }

    @Test
    void archivesHaveXapiSizesAndHostOnesMinAndMax() {
        var plain = new Rrd(T0, false);
        assertEquals(List.of("AVERAGE 120x1", "AVERAGE 120x12", "AVERAGE 168x720", "AVERAGE 366x17280"),
                plain.archives().stream().map(a -> a.cf + " " + a.rows + "x" + a.perRow).toList());
        var host = new Rrd(T0, true);
        assertEquals(10, host.archives().size());
        assertEquals(1.0, archive(host, Consolidation.MAX, 720).xff);
        assertEquals(0.5, archive(host, Consolidation.AVERAGE, 1).xff);
    }

    @Test
    void gaugeRowsAreTheValuesAndMinuteRowsTheirConsolidation() {
        var rrd = new Rrd(T0, true);
        for (int i = 1; i <= 12; i++) rrd.update(T0 + 5 * i, Map.of(LOAD, (double) i));
        Archive fine = archive(rrd, Consolidation.AVERAGE, 1);
        assertEquals(12.0, fine.row(0, 0));
        assertEquals(11.0, fine.row(0, 1));
        assertEquals(1.0, fine.row(0, 11));
        assertTrue(Double.isNaN(fine.row(0, 12)), "before the first reading");
        assertEquals(6.5, archive(rrd, Consolidation.AVERAGE, 12).row(0, 0));
        assertEquals(1.0, archive(rrd, Consolidation.MIN, 12).row(0, 0));
        assertEquals(12.0, archive(rrd, Consolidation.MAX, 12).row(0, 0));
        assertEquals(Double.valueOf(12.0), rrd.latest("load").orElseThrow());
        assertTrue(rrd.latest("nothing").isEmpty());
    }

    @Test
    void counterBecomesARateEvenWhenReadingsFallBetweenSteps() {
        var rrd = new Rrd(T0, false);
        // a counter growing by 1000 bytes a second, read every 2 s off the step boundaries
        for (int s = 1; s <= 41; s += 2) rrd.update(T0 + s, Map.of(BYTES, 1000.0 * s));
        Archive fine = archive(rrd, Consolidation.AVERAGE, 1);
        for (int age = 0; age < 6; age++) assertEquals(1000.0, fine.row(0, age), 1e-3, "row " + age);
    }

    @Test
    void fractionsAreCappedJustAboveOneAndUnknownFurtherOut() {
        var rrd = new Rrd(T0, false);
        rrd.update(T0 + 5, Map.of(CPU, 0.0));
        rrd.update(T0 + 10, Map.of(CPU, 5 * 1.04));
        rrd.update(T0 + 15, Map.of(CPU, 5 * 1.04 + 5 * 1.2));
        rrd.update(T0 + 20, Map.of(CPU, 5 * 1.04 + 5 * 1.2 + 5 * 0.25));
        Archive fine = archive(rrd, Consolidation.AVERAGE, 1);
        assertEquals(0.25, fine.row(0, 0), 1e-6);
        assertTrue(Double.isNaN(fine.row(0, 1)));
        assertEquals(1.0, fine.row(0, 2));
    }

    @Test
    void missingReadingsAreUnknownAndRowsObeyTheXff() {
        var rrd = new Rrd(T0, false);
        for (int i = 1; i <= 12; i++) rrd.update(T0 + 5 * i, i <= 6 ? Map.of(LOAD, 2.0) : Map.of());
        assertTrue(Double.isNaN(archive(rrd, Consolidation.AVERAGE, 1).row(0, 0)));
        assertEquals(2.0, archive(rrd, Consolidation.AVERAGE, 12).row(0, 0), "6 of 12 unknown: within xff 0.5");
        for (int i = 13; i <= 24; i++) rrd.update(T0 + 5 * i, i <= 17 ? Map.of(LOAD, 4.0) : Map.of());
        assertTrue(Double.isNaN(archive(rrd, Consolidation.AVERAGE, 12).row(0, 0)), "7 of 12 unknown");
    }

    @Test
    void aGapLongerThanTheHeartbeatIsUnknownAndWholeRowsAreFilled() {
        var rrd = new Rrd(T0, false);
        rrd.update(T0 + 5, Map.of(BYTES, 0.0));
        rrd.update(T0 + 10, Map.of(BYTES, 500.0));
        rrd.update(T0 + 10 + 400, Map.of(BYTES, 900.0));
        Archive fine = archive(rrd, Consolidation.AVERAGE, 1);
        assertTrue(Double.isNaN(fine.row(0, 0)));
        assertTrue(Double.isNaN(fine.row(0, 50)));
        assertEquals(100.0, fine.row(0, 80));
    }

    @Test
    void forgottenSourcesLoseTheirHistory() {
        var rrd = new Rrd(T0, false);
        rrd.update(T0 + 5, Map.of(LOAD, 3.0));
        assertTrue(rrd.remove("load"));
        assertFalse(rrd.remove("load"));
        rrd.update(T0 + 10, Map.of(LOAD, 4.0));
        Archive fine = archive(rrd, Consolidation.AVERAGE, 1);
        assertEquals(4.0, fine.row(0, 0));
        assertTrue(Double.isNaN(fine.row(0, 1)));
    }

    @Test
    void valuesArePrintedAsXapiPrintsThem() {
        assertEquals("0.0", RrdNumbers.text(0));
        assertEquals("NaN", RrdNumbers.text(Double.NaN));
        assertEquals("Infinity", RrdNumbers.text(Double.POSITIVE_INFINITY));
        assertEquals("-Infinity", RrdNumbers.text(Double.NEGATIVE_INFINITY));
        assertEquals("0.5", RrdNumbers.text(0.5));
        assertEquals("300", RrdNumbers.text(300));
        assertEquals("1.5e-05", RrdNumbers.text(1.5e-5));
        assertEquals("1.23456789012346e+17", RrdNumbers.text(123456789012345678.0));
        // rows are 32-bit floats, as in XAPI: 0.1 comes back as the float nearest to it
        assertEquals("0.100000001490116", RrdNumbers.text((float) 0.1));
    }

    static Rrds twoRrds() {
        var rrds = new Rrds("h-uuid");
        for (int i = 1; i <= 3; i++) {
            rrds.update(T0 + 5 * i, Map.of(LOAD, (double) i), Map.of("v-uuid", Map.of(DataSource.gauge("memory", "B", ""), 1024.0 * i)), false);
        }
        return rrds;
    }

    @Test
    void xportXmlIsXapisByteForByte() throws Exception {
        Xport x = twoRrds().export(true, null, T0 + 6, 5, Consolidation.AVERAGE);
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xport><meta><start>" + (T0 + 10) + "</start><step>5</step><end>"
                + (T0 + 15) + "</end><rows>2</rows><columns>2</columns><legend><entry>AVERAGE:host:h-uuid:load</entry>"
                + "<entry>AVERAGE:vm:v-uuid:memory</entry></legend></meta><data><row><t>" + (T0 + 15) + "</t><v>3</v><v>3072</v></row>"
                + "<row><t>" + (T0 + 10) + "</t><v>2</v><v>2048</v></row></data></xport>", x.xml());
    }

    @Test
    void xportJsonIsXapisShapeWithEveryNumberAsText() throws Exception {
        Xport x = twoRrds().export(false, List.of("v-uuid"), T0 + 11, 5, null);
        assertEquals("{\"meta\":{\"start\":\"" + (T0 + 15) + "\",\"step\":\"5\",\"end\":\"" + (T0 + 15) + "\",\"rows\":\"1\",\"columns\":\"1\","
                + "\"legend\":[\"AVERAGE:vm:v-uuid:memory\"]},\"data\":[{\"t\":\"" + (T0 + 15) + "\",\"values\":[\"3072\"]}]}", x.json());
        assertThrows(Xport.NoArchive.class, () -> twoRrds().export(false, List.of("other"), T0, 5, null));
    }

    @Test
    void anOldStartPicksTheMinuteArchiveAndANegativeOneCountsBackFromTheLastReading() throws Exception {
        var rrds = new Rrds("h");
        for (int i = 1; i <= 400; i++) rrds.update(T0 + 5 * i, Map.of(LOAD, 1.0), Map.of(), false);
        long last = T0 + 2000;
        Xport old = rrds.export(true, null, last - 1800, 5, Consolidation.AVERAGE);
        assertEquals(60, old.step());
        assertEquals(30, old.data().size());
        Xport recent = rrds.export(true, null, -60, 5, Consolidation.AVERAGE);
        assertEquals(5, recent.step());
        assertEquals(13, recent.data().size());
        assertEquals(last, recent.end());
        Xport hourly = rrds.export(true, null, last - 600, 3600, null);
        assertEquals(3600, hourly.step());
    }

    @Test
    void acceptHeaderChoosesAsXapiDoes() {
        assertFalse(RrdHttp.prefersJson(null, false));
        assertTrue(RrdHttp.prefersJson(null, true));
        assertTrue(RrdHttp.prefersJson("*/*", false));
        assertFalse(RrdHttp.prefersJson("text/xml", true));
        assertFalse(RrdHttp.prefersJson("application/json;q=0.5, text/*", true));
        assertTrue(RrdHttp.prefersJson("text/html", true));
        assertFalse(RrdHttp.prefersJson("garbage", false));
    }

    @Test
    void diskSeriesAreNamedLikeLinuxXenDisks() {
        assertEquals("xvda", org.flotilla.vm.VbdRecords.linuxDevice("0"));
        assertEquals("xvdd", org.flotilla.vm.VbdRecords.linuxDevice("3"));
        assertEquals("xvdz", org.flotilla.vm.VbdRecords.linuxDevice("25"));
        assertEquals("xvdaa", org.flotilla.vm.VbdRecords.linuxDevice("26"));
    }
}
