package org.flotilla.metrics;

import java.util.ArrayDeque;

/**
 * Compact XML as XAPI's writer (Xmlm) makes it: the declaration line, no whitespace between elements, an
 * element without content written as {@code <name/>}.
 */
final class XmlText {
    private final StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    private final ArrayDeque<String> open = new ArrayDeque<>();
    /** Whether the innermost element's start tag is still unwritten (it may yet be empty). */
    private boolean pending;

    XmlText open(String name) {
        flush();
        open.push(name);
        pending = true;
        return this;
    }

    XmlText close() {
        String name = open.pop();
        if (pending) out.append('<').append(name).append("/>");
        else out.append("</").append(name).append('>');
        pending = false;
        return this;
    }

    XmlText element(String name, String text) {
        open(name);
        if (!text.isEmpty()) {
            flush();
            escape(text);
        }
        return close();
    }

    String text() { return out.toString(); }

    private void flush() {
        if (pending) out.append('<').append(open.peek()).append('>');
        pending = false;
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
    }
}
