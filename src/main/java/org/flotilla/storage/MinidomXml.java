package org.flotilla.storage;

import java.util.List;

/**
 * XML laid out as Python's minidom writes it (toprettyxml: a tab per level, a text node on its element's line, an
 * empty element closed in place), which is what SM's probes print and what clients of SR.probe have always parsed.
 */
final class MinidomXml {
    static final String HEADER = "<?xml version=\"1.0\" ?>\n";

    private MinidomXml() {}

    /** An element: a text value, or children (none: written {@code <name/>}). */
    record Element(String name, String text, List<Element> children) {
        static Element text(String name, String text) { return new Element(name, text, List.of()); }

        static Element of(String name, List<Element> children) { return new Element(name, null, List.copyOf(children)); }
    }

    static String document(Element root) {
        var out = new StringBuilder(HEADER);
        write(out, root, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Element e, int depth) {
        out.append("\t".repeat(depth)).append('<').append(e.name());
        if (e.text() != null && !e.text().isEmpty()) {
            out.append('>').append(escape(e.text())).append("</").append(e.name()).append(">\n");
        } else if (e.children().isEmpty()) {
            out.append("/>\n");
        } else {
            out.append(">\n");
            for (Element c : e.children()) write(out, c, depth + 1);
            out.append("\t".repeat(depth)).append("</").append(e.name()).append(">\n");
        }
    }

    static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;"); }
}
