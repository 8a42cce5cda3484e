package org.flotilla.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A whole RRD as {@code /host_rrd} and {@code /vm_rrd} give it: rrdtool's XML dump (version 0003), or XAPI's
 * JSON rendering of it where every number is text. Archive rows run oldest first.
 */
final class RrdDump {
    private RrdDump() {}

    static String xml(Rrd rrd) {
        var x = new XmlText();
        x.open("rrd").element("version", "0003").element("step", Long.toString(Rrd.STEP))
                .element("lastupdate", Long.toString((long) rrd.lastUpdated()));
        List<DataSource> dss = rrd.dataSources();
        for (int i = 0; i < dss.size(); i++) {
            DataSource ds = dss.get(i);
            x.open("ds").element("name", ds.name()).element("type", ds.kind().name())
                    .element("minimal_heartbeat", RrdNumbers.text(Rrd.HEARTBEAT))
                    .element("min", RrdNumbers.text(ds.min())).element("max", RrdNumbers.text(ds.max()))
                    .element("last_ds", lastReading(rrd, i)).element("value", RrdNumbers.text(rrd.pointValue(i)))
                    .element("unknown_sec", Long.toString((long) rrd.unknownSeconds(i))).close();
        }
        for (Archive a : rrd.archives()) {
            x.open("rra").element("cf", a.cf.name()).element("pdp_per_row", Integer.toString(a.perRow));
            x.open("params").element("xff", RrdNumbers.text(a.xff)).close();
            x.open("cdp_prep");
            for (int i = 0; i < dss.size(); i++) {
                x.open("ds").element("primary_value", "0.0").element("secondary_value", "0.0")
                        .element("value", RrdNumbers.text(a.building(i)))
                        .element("unknown_datapoints", Integer.toString(a.unknownPoints(i))).close();
            }
            x.close().open("database");
            if (!dss.isEmpty()) {
                for (int age = a.rows - 1; age >= 0; age--) {
                    x.open("row");
                    for (int i = 0; i < dss.size(); i++) x.element("v", RrdNumbers.text(a.row(i, age)));
                    x.close();
                }
            }
            x.close().close();
        }
        return x.close().text();
    }

    static String json(Rrd rrd) {
        var out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("version", "0003");
            g.writeStringField("step", Long.toString(Rrd.STEP));
            g.writeStringField("lastupdate", RrdNumbers.text(rrd.lastUpdated()));
            List<DataSource> dss = rrd.dataSources();
            g.writeArrayFieldStart("ds");
            for (int i = 0; i < dss.size(); i++) {
                DataSource ds = dss.get(i);
                g.writeStartObject();
                g.writeStringField("name", ds.name());
                g.writeStringField("type", ds.kind().name());
                g.writeStringField("minimal_heartbeat", RrdNumbers.text(Rrd.HEARTBEAT));
                g.writeStringField("min", RrdNumbers.text(ds.min()));
                g.writeStringField("max", RrdNumbers.text(ds.max()));
                g.writeStringField("last_ds", lastReading(rrd, i));
                g.writeStringField("value", RrdNumbers.text(rrd.pointValue(i)));
                g.writeStringField("unknown_sec", RrdNumbers.text(rrd.unknownSeconds(i)));
                g.writeStringField("last_updated", RrdNumbers.text(rrd.lastUpdated()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rra");
            for (Archive a : rrd.archives()) {
                g.writeStartObject();
                g.writeStringField("cf", a.cf.name());
                g.writeStringField("pdp_per_row", Integer.toString(a.perRow));
                g.writeObjectFieldStart("params");
                g.writeStringField("xff", RrdNumbers.text(a.xff));
                g.writeEndObject();
                g.writeObjectFieldStart("cdp_prep");
                g.writeArrayFieldStart("ds");
                for (int i = 0; i < dss.size(); i++) {
                    g.writeStartObject();
                    g.writeStringField("primary_value", "0.0");
                    g.writeStringField("secondary_value", "0.0");
                    g.writeStringField("value", RrdNumbers.text(a.building(i)));
                    g.writeStringField("unknown_datapoints", Integer.toString(a.unknownPoints(i)));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeArrayFieldStart("database");
                for (int age = dss.isEmpty() ? -1 : a.rows - 1; age >= 0; age--) {
                    g.writeStartArray();
                    for (int i = 0; i < dss.size(); i++) g.writeString(RrdNumbers.text(a.row(i, age)));
                    g.writeEndArray();
                }
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

    /** XAPI prints an unknown last reading as 0.0. */
    private static String lastReading(Rrd rrd, int i) {
        double v = rrd.lastReading(i);
        return Double.isNaN(v) ? "0.0" : RrdNumbers.text(v);
    }
}
