package org.flotilla.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.Test;

class XmlRpcTest {
    private static final String PROLOG = "<?xml version=\"1.0\"?>";
    private static final String OK_HEAD = PROLOG + "<methodResponse><params><param><value><struct>"
            + "<member><name>Status</name><value>Success</value></member><member><name>Value</name>";
    private static final String OK_TAIL = "</member></struct></value></param></params></methodResponse>";

    private static String reply(Object value) { return new String(XmlRpc.writeReply(RpcOutcome.success(value)), UTF_8); }

    static String valueOf(Object value) { return XmlRpc.writeValue(value); }

    private static RpcCall call(String xml) { return XmlRpc.parseCall(xml.getBytes(UTF_8)); }

    // ---- replies, byte for byte ----

    @Test
    void successReplyIsCompactStatusStruct() {
        assertEquals(OK_HEAD + "<value>OpaqueRef:1f2e</value>" + OK_TAIL, reply("OpaqueRef:1f2e"));
    }

    @Test
    void voidIsTheEmptyString() {
        assertEquals(OK_HEAD + "<value></value>" + OK_TAIL, reply(null));
    }

    @Test
    void failureReplyCarriesErrorDescription() {
        var xml = new String(XmlRpc.writeReply(RpcOutcome.failure(ApiError.of("SESSION_INVALID", "OpaqueRef:x"))), UTF_8);
        assertEquals(PROLOG + "<methodResponse><params><param><value><struct>"
                + "<member><name>Status</name><value>Failure</value></member>"
                + "<member><name>ErrorDescription</name><value><array><data>"
                + "<value>SESSION_INVALID</value><value>OpaqueRef:x</value>"
                + "</data></array></value></member></struct></value></param></params></methodResponse>", xml);
        assertFalse(xml.contains("fault"));
    }

    @Test
    void int64IsAnUntypedStringAndOnlyIntegerIsI4() {
        assertEquals("<value>268435456</value>", valueOf(268435456L));
        assertEquals("<value>-9223372036854775808</value>", valueOf(Long.MIN_VALUE));
        assertEquals("<value><i4>3</i4></value>", valueOf(3));
    }

    @Test
    void scalars() {
        assertEquals("<value><boolean>1</boolean></value>", valueOf(true));
        assertEquals("<value><boolean>0</boolean></value>", valueOf(false));
        assertEquals("<value><dateTime.iso8601>20240131T12:34:56Z</dateTime.iso8601></value>",
                valueOf(Instant.parse("2024-01-31T12:34:56.789Z")));
        assertEquals("<value><dateTime.iso8601>20240131T13:34:56</dateTime.iso8601></value>",
                valueOf(LocalDateTime.of(2024, 1, 31, 13, 34, 56)));
    }

    @Test
    void doublesAsCPrintfPercentPoint16g() {
        assertEquals("<value><double>60.1</double></value>", valueOf(60.1));
        assertEquals("<value><double>1</double></value>", valueOf(1.0));
        assertEquals("<value><double>0.5</double></value>", valueOf(0.5));
        assertEquals("<value><double>0.3333333333333333</double></value>", valueOf(1.0 / 3));
        assertEquals("<value><double>1e+20</double></value>", valueOf(1e20));
        assertEquals("<value><double>1.5e-05</double></value>", valueOf(1.5e-5));
        assertEquals("<value><double>0.0001</double></value>", valueOf(1e-4));
        assertEquals("<value><double>1234567890123456</double></value>", valueOf(1234567890123456.0));
        assertEquals("<value><double>1.234567890123457e+16</double></value>", valueOf(12345678901234567.0));
        assertEquals("<value><double>-2.5</double></value>", valueOf(-2.5));
        assertEquals("<value><double>0</double></value>", valueOf(0.0));
    }

    @Test
    void structsKeepOrderAndStringifyKeys() {
        var m = new LinkedHashMap<Object, Object>();
        m.put(1L, 0.5);
        m.put("b", List.of("x", "y"));
        m.put("a", Map.of());
        assertEquals("<value><struct><member><name>1</name><value><double>0.5</double></value></member>"
                + "<member><name>b</name><value><array><data><value>x</value><value>y</value></data></array></value></member>"
                + "<member><name>a</name><value><struct></struct></value></member></struct></value>", valueOf(m));
    }

    @Test
    void escapesMarkupAndDropsWhatXmlCannotCarry() {
        assertEquals("<value>a&lt;b&amp;c&gt;&quot;d&quot;</value>", valueOf("a<b&c>\"d\""));
        assertEquals("<value>bell gone, tab\tand\nnewline kept, cr&#13;referenced</value>",
                valueOf("bell\u0007 gone, tab\tand\nnewline kept, cr\rreferenced"));
        assertEquals("<value>é😀</value>", valueOf("é😀"));
        assertEquals("<value><struct><member><name>k&amp;&lt;</name><value></value></member></struct></value>",
                valueOf(Map.of("k&<", "")));
    }

    @Test
    void repliesHaveNoWhitespaceBetweenElements() {
        var xml = reply(Map.of("a", List.of(1L, Map.of("b", true)), "c", ""));
        assertFalse(xml.matches("(?s).*>\\s+<.*"), xml);
    }

    @Test
    void listMethodsReplyIsBare() {
        assertEquals(PROLOG + "<methodResponse><params><param><value><array><data><value>VM.start</value>"
                + "</data></array></value></param></params></methodResponse>",
                new String(XmlRpc.writeBareReply(List.of("VM.start")), UTF_8));
    }

    @Test
    void unknownJavaTypesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> valueOf(new Object()));
    }

    // ---- parsing calls ----

    @Test
    void parsesTypedAndUntypedValues() {
        var c = call("""
                <?xml version="1.0" encoding="UTF-8"?>
                <methodCall>
                  <methodName>VM.set_memory</methodName>
                  <params>
                    <param><value>plain</value></param>
                    <param><value><string>typed</string></value></param>
                    <param><value><int>1</int></value></param>
                    <param><value><i4>-2</i4></value></param>
                    <param><value><i8>9000000000</i8></value></param>
                    <param><value><boolean>1</boolean></value></param>
                    <param><value><boolean>0</boolean></value></param>
                    <param><value><double>60.1</double></value></param>
                    <param><value><dateTime.iso8601>20240131T12:34:56Z</dateTime.iso8601></value></param>
                    <param><value><dateTime.iso8601>2024-01-31T12:34:56Z</dateTime.iso8601></value></param>
                    <param><value/></param>
                    <param><value><string/></value></param>
                    <param><value>  spaced  </value></param>
                    <param><value><nil/></value></param>
                    <param><value><base64>aGVsbG8=</base64></value></param>
                    <param><value>a&amp;b&lt;&#13;</value></param>
                  </params>
                </methodCall>
                """);
        assertEquals("VM.set_memory", c.method());
        var t = Instant.parse("2024-01-31T12:34:56Z");
        assertEquals(Arrays.asList("plain", "typed", 1L, -2L, 9_000_000_000L, true, false, 60.1, t, t, "", "",
                "  spaced  ", null, "hello", "a&b<\r"), c.params());
        assertInstanceOf(Long.class, c.params().get(2));
    }

    @Test
    void parsesEmptyParams() {
        assertEquals(List.of(), call("<methodCall><methodName>system.listMethods</methodName><params /></methodCall>").params());
        assertEquals(List.of(), call("<methodCall><methodName>x</methodName><params></params></methodCall>").params());
        assertEquals(List.of(), call("<methodCall><methodName>x</methodName></methodCall>").params());
    }

    @Test
    void parsesNestedStructsAndArrays() {
        var c = call("""
                <methodCall><methodName>VM.create</methodName><params><param><value><struct>
                  <member><name>name_label</name><value>vm1</value></member>
                  <member><name>VCPUs_max</name><value><string>4</string></value></member>
                  <member><name>other_config</name><value><struct>
                    <member><name>disks</name><value><array><data>
                      <value><struct><member><name>size</name><value><i8>1073741824</i8></value></member></struct></value>
                      <value><array><data/></array></value>
                      <value><array/></value>
                      <value><struct/></value>
                    </data></array></value></member>
                  </struct></value></member>
                </struct></value></param></params></methodCall>
                """);
        var record = assertInstanceOf(Map.class, c.params().getFirst());
        assertEquals(List.of("name_label", "VCPUs_max", "other_config"), List.copyOf(record.keySet()));
        assertEquals("4", record.get("VCPUs_max"));
        var disks = (List<?>) ((Map<?, ?>) record.get("other_config")).get("disks");
        assertEquals(List.of(Map.of("size", 1073741824L), List.of(), List.of(), Map.of()), disks);
    }

    @Test
    void refusesMalformedCalls() {
        for (var bad : List.of(
                "",
                "not xml",
                "{\"method\":\"x\",\"params\":[],\"id\":1}",
                "<methodCall><methodName>x</methodName><params>",
                "<methodCall><params/></methodCall>",
                "<methodCall><methodName></methodName><params/></methodCall>",
                "<methodCall><methodName>x</methodName><params><param>text</param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params><param><value><foo>1</foo></value></param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params><param><value><int>one</int></value></param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params><param><value><boolean>yes</boolean></value></param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params><param><value>a<string>b</string></value></param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params><param><value><dateTime.iso8601>soon</dateTime.iso8601></value></param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params><param><value><struct><member><value>v</value></member></struct></value></param></params></methodCall>",
                "<methodCall><methodName>x</methodName><params/></methodCall><methodCall/>",
                "<methodCall><methodName>x</methodName><params/></methodCall>trailing",
                "<methodResponse><params/></methodResponse>")) {
            assertThrows(WireFormatException.class, () -> call(bad), bad);
        }
    }

    @Test
    void refusesDtdsSoNoEntityTricksGetIn() {
        var xxe = """
                <?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <methodCall><methodName>x</methodName><params><param><value>&x;</value></param></params></methodCall>""";
        var laughs = """
                <?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
                <methodCall><methodName>x</methodName><params><param><value>&b;</value></param></params></methodCall>""";
        assertThrows(WireFormatException.class, () -> call(xxe));
        assertThrows(WireFormatException.class, () -> call(laughs));
    }

    @Test
    void refusesAbsurdNesting() {
        var deep = "<value><array><data>".repeat(1000) + "</data></array></value>".repeat(1000);
        assertThrows(WireFormatException.class,
                () -> call("<methodCall><methodName>x</methodName><params><param>" + deep + "</param></params></methodCall>"));
    }

    // ---- client side and round trips ----

    @Test
    void callRoundTripKeepsShapesWhileInt64TravelsAsString() {
        var t = Instant.parse("2030-05-06T07:08:09Z");
        var record = new LinkedHashMap<String, Object>();
        record.put("name_label", "a <b> & c");
        record.put("tags", List.of("x", "y"));
        var call = RpcCall.of("VM.create", "OpaqueRef:s", record, 5, 7L, true, 2.5, t, null);
        var parsed = XmlRpc.parseCall(XmlRpc.writeCall(call));
        assertEquals("VM.create", parsed.method());
        assertEquals(Arrays.asList("OpaqueRef:s", record, 5L, "7", true, 2.5, t, ""), parsed.params());
    }

    @Test
    void writesCallsCompactly() {
        assertEquals(PROLOG + "<methodCall><methodName>session.login_with_password</methodName><params>"
                        + "<param><value>root</value></param><param><value>p&amp;w</value></param></params></methodCall>",
                new String(XmlRpc.writeCall(RpcCall.of("session.login_with_password", "root", "p&w")), UTF_8));
    }

    @Test
    void replyRoundTrips() {
        var value = Map.of("k", List.of("v", 3L));
        assertEquals(RpcOutcome.success(Map.of("k", List.of("v", "3"))), XmlRpc.parseReply(XmlRpc.writeReply(RpcOutcome.success(value))));
        assertEquals(RpcOutcome.success(""), XmlRpc.parseReply(XmlRpc.writeReply(RpcOutcome.success(null))));
        var failure = XmlRpc.parseReply(XmlRpc.writeReply(RpcOutcome.failure(ApiError.of("HANDLE_INVALID", "VM", "OpaqueRef:x"))));
        var error = assertInstanceOf(RpcOutcome.Failure.class, failure).error();
        assertEquals("HANDLE_INVALID", error.code());
        assertEquals(List.of("VM", "OpaqueRef:x"), error.params());
        assertThrows(ApiError.class, failure::valueOrThrow);
    }

    @Test
    void parsesBareRepliesFaultsAndPrettyPrintedReplies() {
        assertEquals(RpcOutcome.success(List.of("a")),
                XmlRpc.parseReply(XmlRpc.writeBareReply(List.of("a"))));
        var fault = XmlRpc.parseReply("""
                <?xml version="1.0"?>
                <methodResponse>
                  <fault><value><struct>
                    <member><name>faultCode</name><value><int>4</int></value></member>
                    <member><name>faultString</name><value><string>Too many parameters.</string></value></member>
                  </struct></value></fault>
                </methodResponse>
                """.getBytes(UTF_8));
        var error = assertInstanceOf(RpcOutcome.Failure.class, fault).error();
        assertEquals(List.of("fault", "4", "Too many parameters."), error.description());
        var pretty = XmlRpc.parseReply("""
                <methodResponse>
                  <params>
                    <param>
                      <value>
                        <struct>
                          <member><name>Status</name><value>Success</value></member>
                          <member><name>Value</name><value><boolean>1</boolean></value></member>
                        </struct>
                      </value>
                    </param>
                  </params>
                </methodResponse>
                """.getBytes(UTF_8));
        assertEquals(true, pretty.valueOrThrow());
    }

    @Test
    void nilParsesToNull() {
        assertNull(call("<methodCall><methodName>x</methodName><params><param><value><nil/></value></param></params></methodCall>")
                .params().getFirst());
        assertTrue(call("<methodCall><methodName> x </methodName><params/></methodCall>").method().equals("x"));
    }
}
