package org.flotilla.wire;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.flotilla.model.XapiDateTime;

/**
 * A strict pull reader over one XML-RPC document. It accepts what XAPI's parser accepts (typed and untyped
 * values, whitespace between elements, {@code <params />}) and refuses the rest: any DTD, since a
 * document type is how entity expansion and external entity attacks get in, text where elements belong,
 * unknown types, and nesting deeper than any XenAPI value needs.
 */
final class XmlValueReader {
    private static final int MAX_DEPTH = 64;
    private static final XMLInputFactory FACTORY = secureFactory();

    private final XMLStreamReader xml;
    private int depth;

    private XmlValueReader(XMLStreamReader xml) { this.xml = xml; }

    private static XMLInputFactory secureFactory() {
        var f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /** Runs {@code body} on a reader positioned before the root element and checks nothing follows the root. */
    static <T> T read(byte[] document, Body<T> body) {
        XMLStreamReader xml = null;
        try {
            xml = FACTORY.createXMLStreamReader(new ByteArrayInputStream(document));
            var reader = new XmlValueReader(xml);
            T result = body.read(reader);
            reader.expectEndOfDocument();
            return result;
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof WireFormatException w) throw w;
            throw new WireFormatException("malformed XML-RPC: " + e.getMessage(), e);
        } finally {
            if (xml != null) {
                try { xml.close(); } catch (XMLStreamException ignored) { /* nothing left to release */ }
            }
        }
    }

    @FunctionalInterface
    interface Body<T> {
        T read(XmlValueReader r) throws XMLStreamException;
    }

    /** Moves to the next element start or end, skipping whitespace, comments and processing instructions. */
    int nextTag() throws XMLStreamException {
        while (true) {
            int event = xml.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT, XMLStreamConstants.END_ELEMENT -> { return event; }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!xml.isWhiteSpace() && !xml.getText().isBlank()) throw malformed("unexpected text");
                }
                case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION -> { }
                case XMLStreamConstants.DTD -> throw malformed("a DTD is not allowed");
                default -> throw malformed("unexpected XML event " + event);
            }
        }
    }

    /** Expects the start of element {@code name}. */
    void start(String name) throws XMLStreamException {
        if (nextTag() != XMLStreamConstants.START_ELEMENT || !xml.getLocalName().equals(name)) {
            throw malformed("expected <" + name + ">");
        }
    }

    /** Expects the end of the element just entered. */
    void end() throws XMLStreamException {
        if (nextTag() != XMLStreamConstants.END_ELEMENT) throw malformed("expected </" + xml.getLocalName() + ">");
    }

    /** The next start tag's name, or null at the end of the enclosing element. */
    String nextChildOrEnd() throws XMLStreamException {
        return nextTag() == XMLStreamConstants.START_ELEMENT ? xml.getLocalName() : null;
    }

    String currentName() { return xml.getLocalName(); }

    /** The text of the element just entered; leaves the reader on its end tag. */
    String text() throws XMLStreamException { return xml.getElementText(); }

    private void expectEndOfDocument() throws XMLStreamException {
        while (xml.hasNext()) {
            int event = xml.next();
            switch (event) {
                case XMLStreamConstants.END_DOCUMENT -> { return; }
                case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION, XMLStreamConstants.SPACE -> { }
                case XMLStreamConstants.CHARACTERS -> {
                    if (!xml.getText().isBlank()) throw malformed("text after the document");
                }
                default -> throw malformed("content after the document");
            }
        }
    }

    /** Reads a {@code <value>} whose start tag has just been read. */
    Object valueBody() throws XMLStreamException {
        if (++depth > MAX_DEPTH) throw malformed("values nested too deeply");
        var text = new StringBuilder();
        Object typed = null;
        boolean sawType = false;
        while (true) {
            int event = xml.next();
            switch (event) {
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (sawType && !xml.getText().isBlank()) throw malformed("text beside a typed value");
                    text.append(xml.getText());
                }
                case XMLStreamConstants.START_ELEMENT -> {
                    if (sawType) throw malformed("two types in one <value>");
                    if (!text.toString().isBlank()) throw malformed("text beside a typed value");
                    typed = typed(xml.getLocalName());
                    sawType = true;
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    depth--;
                    // an untyped value is a string, whitespace and all
                    return sawType ? typed : text.toString();
                }
                case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION -> { }
                default -> throw malformed("unexpected XML event " + event + " in <value>");
            }
        }
    }

    /** Reads a whole {@code <value>} element that comes next. */
    Object value() throws XMLStreamException {
        start("value");
        return valueBody();
    }

    private Object typed(String type) throws XMLStreamException {
        try {
            return switch (type) {
                case "string" -> text();
                case "int", "i4", "i8" -> Long.parseLong(text().strip());
                case "boolean" -> bool(text().strip());
                case "double" -> Double.parseDouble(text().strip());
                case "dateTime.iso8601" -> XapiDateTime.parse(text());
                // XAPI decodes base64 into a plain string
                case "base64" -> new String(Base64.getMimeDecoder().decode(text().strip()), StandardCharsets.UTF_8);
                case "nil" -> nil();
                case "array" -> array();
                case "struct" -> struct();
                default -> throw malformed("unknown XML-RPC type <" + type + ">");
            };
        } catch (IllegalArgumentException e) { // numbers, booleans and base64 that do not parse
            throw malformed("bad <" + type + ">: " + e.getMessage());
        }
    }

    private static Boolean bool(String s) {
        return switch (s) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean: " + s);
        };
    }

    private Object nil() throws XMLStreamException {
        if (!text().isEmpty()) throw malformed("<nil> with content");
        return null;
    }

    private List<Object> array() throws XMLStreamException {
        var items = new ArrayList<Object>();
        var child = nextChildOrEnd();
        if (child == null) return items; // <array/>
        if (!child.equals("data")) throw malformed("expected <data> in <array>");
        while (nextChildOrEnd() != null) {
            if (!currentName().equals("value")) throw malformed("expected <value> in <data>");
            items.add(valueBody());
        }
        end();
        return items;
    }

    private Map<String, Object> struct() throws XMLStreamException {
        var members = new LinkedHashMap<String, Object>();
        while (nextChildOrEnd() != null) {
            if (!currentName().equals("member")) throw malformed("expected <member> in <struct>");
            start("name");
            var name = text();
            var value = value();
            end();
            // XAPI looks members up by first match
            members.putIfAbsent(name, value);
        }
        return members;
    }

    WireFormatException malformed(String what) {
        var at = xml.getLocation();
        return new WireFormatException("malformed XML-RPC: " + what
                + (at == null ? "" : " (line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ")"));
    }
}
