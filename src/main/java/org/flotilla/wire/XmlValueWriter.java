package org.flotilla.wire;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Map;
import org.flotilla.model.FloatText;
import org.flotilla.model.Memo;
import org.flotilla.model.XapiDateTime;

/**
 * Writes values the way XAPI's marshaller does, compact and byte for byte: XML-RPC clients such as Xen
 * Orchestra's read whitespace between elements as text, and the XenServer Java SDK casts int fields to
 * String, so an int64 must stay an untyped string and only a 32-bit {@link Integer} becomes {@code <i4>}.
 * Writes UTF-8 straight into the body; a stored record goes as the bytes kept from its last encoding.
 */
final class XmlValueWriter {
    private static final byte[] VALUE = ascii("<value>");
    private static final byte[] END_VALUE = ascii("</value>");
    private static final byte[] EMPTY_VALUE = ascii("<value></value>");
    private static final byte[] I4 = ascii("<value><i4>");
    private static final byte[] END_I4 = ascii("</i4></value>");
    private static final byte[] TRUE = ascii("<value><boolean>1</boolean></value>");
    private static final byte[] FALSE = ascii("<value><boolean>0</boolean></value>");
    private static final byte[] DOUBLE = ascii("<value><double>");
    private static final byte[] END_DOUBLE = ascii("</double></value>");
    private static final byte[] DATE = ascii("<value><dateTime.iso8601>");
    private static final byte[] END_DATE = ascii("</dateTime.iso8601></value>");
    private static final byte[] ARRAY = ascii("<value><array><data>");
    private static final byte[] END_ARRAY = ascii("</data></array></value>");
    private static final byte[] STRUCT = ascii("<value><struct>");
    private static final byte[] END_STRUCT = ascii("</struct></value>");
    private static final byte[] MEMBER = ascii("<member><name>");
    private static final byte[] END_NAME = ascii("</name>");
    private static final byte[] END_MEMBER = ascii("</member>");
    private static final byte[] AMP = ascii("&amp;");
    private static final byte[] LT = ascii("&lt;");
    private static final byte[] GT = ascii("&gt;");
    private static final byte[] QUOT = ascii("&quot;");
    private static final byte[] CR = ascii("&#13;");

    private XmlValueWriter() {}

    static void write(ChunkedBytes out, Object value) {
        switch (value) {
            // void: XAPI answers the empty string
            case null -> out.write(EMPTY_VALUE);
            case String s -> text(out, s);
            case Integer i -> enclosed(out, I4, Integer.toString(i), END_I4);
            case Long l -> enclosed(out, VALUE, Long.toString(l), END_VALUE);
            case Short s -> enclosed(out, VALUE, Short.toString(s), END_VALUE);
            case Byte b -> enclosed(out, VALUE, Byte.toString(b), END_VALUE);
            case Boolean b -> out.write(b ? TRUE : FALSE);
            case Double d -> enclosed(out, DOUBLE, cDouble(d), END_DOUBLE);
            case Float f -> enclosed(out, DOUBLE, cDouble(f), END_DOUBLE);
            case Instant t -> enclosed(out, DATE, XapiDateTime.format(t), END_DATE);
            case LocalDateTime t -> enclosed(out, DATE, XapiDateTime.format(t), END_DATE);
            case Enum<?> e -> text(out, e.toString());
            case Map<?, ?> m when m instanceof Memo.Holder kept -> RecordEncodings.writeXml(out, kept, m);
            case Map<?, ?> m -> struct(out, m);
            case Collection<?> c -> array(out, c);
            case CharSequence cs -> text(out, cs.toString());
            default -> throw new IllegalArgumentException("no XML-RPC encoding for " + value.getClass().getName());
        }
    }

    /** A struct, whether or not an encoding of it was kept: what {@link RecordEncodings} keeps. */
    static void struct(ChunkedBytes out, Map<?, ?> members) {
        out.write(STRUCT);
        for (var e : members.entrySet()) {
            out.write(MEMBER);
            escape(out, String.valueOf(e.getKey()));
            out.write(END_NAME);
            write(out, e.getValue());
            out.write(END_MEMBER);
        }
        out.write(END_STRUCT);
    }

    private static void text(ChunkedBytes out, String s) {
        out.write(VALUE);
        escape(out, s);
        out.write(END_VALUE);
    }

    /** Text that needs no escaping (digits, XAPI's date format, C's float format) between two markups. */
    private static void enclosed(ChunkedBytes out, byte[] open, String plain, byte[] close) {
        out.write(open);
        out.write(plain.getBytes(US_ASCII));
        out.write(close);
    }

    private static void array(ChunkedBytes out, Collection<?> items) {
        out.write(ARRAY);
        for (var item : items) write(out, item);
        out.write(END_ARRAY);
    }

    /**
     * Escapes markup like XAPI does ({@code & < > "}) and drops what XML 1.0 cannot carry at all, as XAPI
     * does; a carriage return goes as a character reference so that parsers do not fold it into a newline.
     */
    static void escape(ChunkedBytes out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.write(AMP);
                case '<' -> out.write(LT);
                case '>' -> out.write(GT);
                case '"' -> out.write(QUOT);
                case '\r' -> out.write(CR);
                case '\t', '\n' -> out.write(c);
                default -> {
                    if (c < 0x80) {
                        if (c >= 0x20) out.write(c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        utf8(out, Character.toCodePoint(c, s.charAt(++i)));
                    } else if (!Character.isSurrogate(c) && c != 0xFFFE && c != 0xFFFF) {
                        utf8(out, c);
                    }
                }
            }
        }
    }

    /** A code point of U+0080 or above in UTF-8, as String.getBytes writes it. */
    private static void utf8(ChunkedBytes out, int cp) {
        if (cp < 0x800) {
            out.write(0xC0 | cp >> 6);
        } else {
            if (cp < 0x10000) {
                out.write(0xE0 | cp >> 12);
            } else {
                out.write(0xF0 | cp >> 18);
                out.write(0x80 | (cp >> 12 & 0x3F));
            }
            out.write(0x80 | (cp >> 6 & 0x3F));
        }
        out.write(0x80 | (cp & 0x3F));
    }

    /** C's {@code %.16g}, which XAPI uses: 16 significant digits, trailing zeros dropped, exponent form outside 1e-4..1e16. */
    static String cDouble(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0" : "0";
        return FloatText.g(d, 16);
    }

    private static byte[] ascii(String s) { return s.getBytes(US_ASCII); }
}
