package org.flotilla.wire;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Map;
import org.flotilla.model.FloatText;
import org.flotilla.model.XapiDateTime;

/**
 * Writes values the way XAPI's marshaller does, compact and byte for byte: XML-RPC clients such as Xen
 * Orchestra's read whitespace between elements as text, and the XenServer Java SDK casts int fields to
 * String, so an int64 must stay an untyped string and only a 32-bit {@link Integer} becomes {@code <i4>}.
 */
final class XmlValueWriter {
    private XmlValueWriter() {}

    static void write(StringBuilder out, Object value) {
        switch (value) {
            // void: XAPI answers the empty string
            case null -> out.append("<value></value>");
            case String s -> text(out, s);
            case Integer i -> out.append("<value><i4>").append(i).append("</i4></value>");
            case Long l -> out.append("<value>").append(l).append("</value>");
            case Short s -> out.append("<value>").append(s).append("</value>");
            case Byte b -> out.append("<value>").append(b).append("</value>");
            case Boolean b -> out.append("<value><boolean>").append(b ? '1' : '0').append("</boolean></value>");
            case Double d -> out.append("<value><double>").append(cDouble(d)).append("</double></value>");
            case Float f -> out.append("<value><double>").append(cDouble(f)).append("</double></value>");
            case Instant t -> out.append("<value><dateTime.iso8601>").append(XapiDateTime.format(t))
                    .append("</dateTime.iso8601></value>");
            case LocalDateTime t -> out.append("<value><dateTime.iso8601>").append(XapiDateTime.format(t))
                    .append("</dateTime.iso8601></value>");
            case Enum<?> e -> text(out, e.toString());
            case Map<?, ?> m -> struct(out, m);
            case Collection<?> c -> array(out, c);
            case CharSequence cs -> text(out, cs.toString());
            default -> throw new IllegalArgumentException("no XML-RPC encoding for " + value.getClass().getName());
        }
    }

    private static void text(StringBuilder out, String s) {
        out.append("<value>");
        escape(out, s);
        out.append("</value>");
    }

    private static void array(StringBuilder out, Collection<?> items) {
        out.append("<value><array><data>");
        for (var item : items) write(out, item);
        out.append("</data></array></value>");
    }

    private static void struct(StringBuilder out, Map<?, ?> members) {
        out.append("<value><struct>");
        for (var e : members.entrySet()) {
            out.append("<member><name>");
            escape(out, String.valueOf(e.getKey()));
            out.append("</name>");
            write(out, e.getValue());
            out.append("</member>");
        }
        out.append("</struct></value>");
    }

    /**
     * Escapes markup like XAPI does ({@code & < > "}) and drops what XML 1.0 cannot carry at all, as XAPI
     * does; a carriage return goes as a character reference so that parsers do not fold it into a newline.
     */
    static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\r' -> out.append("&#13;");
                case '\t', '\n' -> out.append(c);
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c >= 0x20 && !Character.isSurrogate(c) && c != 0xFFFE && c != 0xFFFF) {
                        out.append(c);
                    }
                }
            }
        }
    }

    /** C's {@code %.16g}, which XAPI uses: 16 significant digits, trailing zeros dropped, exponent form outside 1e-4..1e16. */
    static String cDouble(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0" : "0";
        return FloatText.g(d, 16);
    }
}
