package org.flotilla.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /rrd_updates} answers: the rows of several RRDs since a time, side by side, in rrdtool's "xport"
 * shape — XML by default, or XAPI's JSON rendering of the same structure. Rows come newest first; every value,
 * and in JSON every number, is text as XAPI prints it.
 */
record Xport(long start, long step, long end, List<String> legend, List<Row> data) {
    record Row(long time, double[] values) {}

    /** An RRD and the prefix its series get in the legend, e.g. {@code host:<uuid>:} or {@code vm:<uuid>:}. */
    record Source(String prefix, Rrd rrd) {}

    /** No RRD has an archive that answers the request (XAPI fails the request likewise). */
    static final class NoArchive extends Exception {
        NoArchive() { super("no archive is available for this request"); }
    }

    /**
     * The rows at least {@code interval} seconds apart since {@code start} (negative: that many seconds before the
     * newest reading), from archives of {@code cf} (null: every consolidation). The first RRD sets the times: the
     * sampler updates them all at once.
     */
    static Xport of(List<Source> sources, long start, long interval, Consolidation cf) throws NoArchive {
        if (sources.isEmpty()) throw new NoArchive();
        double lastUpdated = sources.get(0).rrd().lastUpdated();
        int pointsPerRow = (int) (interval / Rrd.STEP);
        if (start < 0) {
            long from = start;
            start = sources.stream().mapToLong(s -> from + (long) s.rrd().lastUpdated()).min().orElseThrow();
        }
        var chosen = new ArrayList<List<Archive>>();
        for (Source s : sources) chosen.add(s.rrd().bestArchives(pointsPerRow, cf, start));
        Archive first = chosen.stream().filter(l -> !l.isEmpty()).findFirst().orElseThrow(NoArchive::new).get(0);
        var legend = new ArrayList<String>();
        var columns = new ArrayList<Column>();
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            var names = s.rrd().dataSources();
            for (Archive a : chosen.get(i)) {
                if (a.rows != first.rows || a.perRow != first.perRow) continue;
                for (int d = 0; d < names.size(); d++) {
                    legend.add(a.cf + ":" + s.prefix() + names.get(d).name());
                    columns.add(new Column(a, d));
                }
            }
        }
        long step = Rrd.STEP * first.perRow;
        long end = step * ((long) lastUpdated / step);
        long firstRow = step * Math.floorDiv(start, step) + step;
        var rows = new ArrayList<Row>();
        for (int age = 0; age < first.rows && end - age * step >= start; age++) {
            double[] values = new double[columns.size()];
            for (int c = 0; c < values.length; c++) values[c] = columns.get(c).archive().row(columns.get(c).source(), age);
            rows.add(new Row(end - age * step, values));
        }
        return new Xport(firstRow, step, end, legend, rows);
    }

    private record Column(Archive archive, int source) {}

    String xml() {
        var x = new XmlText();
        x.open("xport").open("meta");
        x.element("start", Long.toString(start)).element("step", Long.toString(step)).element("end", Long.toString(end));
        x.element("rows", Integer.toString(data.size())).element("columns", Integer.toString(legend.size()));
        x.open("legend");
        for (String l : legend) x.element("entry", l);
        x.close().close().open("data");
        for (Row r : data) {
            x.open("row").element("t", Long.toString(r.time()));
            for (double v : r.values()) x.element("v", RrdNumbers.text(v));
            x.close();
        }
        return x.close().close().text();
    }

    String json() {
        var out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("meta");
            g.writeStringField("start", Long.toString(start));
            g.writeStringField("step", Long.toString(step));
            g.writeStringField("end", Long.toString(end));
            g.writeStringField("rows", Integer.toString(data.size()));
            g.writeStringField("columns", Integer.toString(legend.size()));
            g.writeArrayFieldStart("legend");
            for (String l : legend) g.writeString(l);
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("data");
            for (Row r : data) {
                g.writeStartObject();
                g.writeStringField("t", Long.toString(r.time()));
                g.writeArrayFieldStart("values");
                for (double v : r.values()) g.writeString(RrdNumbers.text(v));
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
