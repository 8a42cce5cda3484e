package org.flotilla.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Reads back what {@link RrdDump#xml} wrote (rrdtool's XML dump), for RRDs saved across a daemon restart.
 * Anything that does not add up (a missing element, rows of the wrong count, an unknown data source type or
 * consolidation) fails the whole file with an {@link IOException}: a half-read history is worse than none.
 */
final class RrdDumpReader {
    private RrdDumpReader() {}

    static Rrd read(InputStream in) throws IOException {
        try {
            var f = DocumentBuilderFactory.newDefaultInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Element rrd = f.newDocumentBuilder().parse(in).getDocumentElement();
            if (!rrd.getTagName().equals("rrd") || Long.parseLong(text(rrd, "step")) != Rrd.STEP) throw new IOException("not an RRD of step " + Rrd.STEP);
            var sources = new ArrayList<DataSource>();
            var points = new ArrayList<double[]>();
            for (Element ds : children(rrd, "ds")) {
                sources.add(new DataSource(text(ds, "name"), DataSource.Kind.valueOf(text(ds, "type")), number(ds, "min"), number(ds, "max"), "", ""));
                points.add(new double[] {number(ds, "last_ds"), number(ds, "value"), number(ds, "unknown_sec")});
            }
            if (sources.isEmpty()) throw new IOException("an RRD without data sources");
            var archives = new ArrayList<Archive>();
            for (Element rra : children(rrd, "rra")) {
                List<Element> rows = children(child(rra, "database"), "row");
                var a = new Archive(Consolidation.valueOf(text(rra, "cf")), rows.size(), Integer.parseInt(text(rra, "pdp_per_row")),
                        number(child(rra, "params"), "xff"));
                List<Element> prep = children(child(rra, "cdp_prep"), "ds");
                if (prep.size() != sources.size()) throw new IOException("an archive of " + prep.size() + " sources in an RRD of " + sources.size());
                for (int i = 0; i < sources.size(); i++) {
                    double[] values = new double[rows.size()];
                    for (int r = 0; r < rows.size(); r++) {
                        List<Element> v = children(rows.get(r), "v");
                        if (v.size() != sources.size()) throw new IOException("a row of " + v.size() + " values in an RRD of " + sources.size());
                        values[r] = Double.parseDouble(v.get(i).getTextContent().strip());
                    }
                    a.restoreSource(sources.get(i), values, number(prep.get(i), "value"), Integer.parseInt(text(prep.get(i), "unknown_datapoints")));
                }
                archives.add(a);
            }
            var out = new Rrd(Double.parseDouble(text(rrd, "lastupdate")), archives);
            for (int i = 0; i < sources.size(); i++) out.restoreSource(sources.get(i), points.get(i)[0], points.get(i)[1], points.get(i)[2]);
            return out;
        } catch (ParserConfigurationException | SAXException | RuntimeException e) {
            throw new IOException("unreadable RRD dump: " + e, e);
        }
    }

    private static List<Element> children(Element parent, String tag) {
        var out = new ArrayList<Element>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) out.add(e);
        }
        return out;
    }

    private static Element child(Element parent, String tag) throws IOException {
        List<Element> c = children(parent, tag);
        if (c.size() != 1) throw new IOException("expected one <" + tag + "> in <" + parent.getTagName() + ">, found " + c.size());
        return c.getFirst();
    }

    private static String text(Element parent, String tag) throws IOException { return child(parent, tag).getTextContent().strip(); }

    private static double number(Element parent, String tag) throws IOException { return Double.parseDouble(text(parent, tag)); }
}
