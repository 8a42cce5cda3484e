package org.flotilla.clients;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.model.XapiDateTime;
import org.flotilla.runtime.TrustingTls;
import org.flotilla.wire.JsonRpc;
import org.flotilla.wire.RpcOutcome;
import org.flotilla.wire.XmlRpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parameters of the wrong type, over XML-RPC and JSON-RPC as clients write them: refused with the INTERNAL_ERROR
 * XAPI answers (ocaml-rpc's words, {@code Failure("Expected string, got 'I(42)'")}), while what XAPI takes
 * leniently stays taken: int64 as a number or a numeric string, a float as an int or a string, a datetime as a string,
 * an enum in any case.
 */
@Slow
class ParameterTypesTest {
    static TestDaemon daemon;
    static HttpClient client;
    static String session;
    static String host;
    static String network;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
        client = TrustingTls.httpClient();
        session = login();
        host = (String) ((List<?>) daemon.rpc("host.get_all")).getFirst();
        network = (String) daemon.rpc("network.create", Map.of("name_label", "types"));
    }

    private static String login() throws Exception {
        return (String) Wire.JSON.call("session.login_with_password", "root", TestDaemon.PASSWORD).valueOrThrow();
    }

    @AfterAll
    static void stop() throws Exception { daemon.close(); }

    /** The two encodings, written here by hand so that every wire type can be chosen (the codecs write int64 as strings). */
    enum Wire {
        XML {
            @Override RpcOutcome call(String method, Object... params) throws Exception {
                var body = new StringBuilder("<?xml version=\"1.0\"?><methodCall><methodName>").append(method).append("</methodName><params>");
                for (Object p : params) body.append("<param>").append(value(p)).append("</param>");
                body.append("</params></methodCall>");
                return XmlRpc.parseReply(post("/", XmlRpc.CONTENT_TYPE, body.toString()));
            }

            private String value(Object v) {
                return "<value>" + switch (v) {
                    case Untyped u -> u.text();
                    case String s -> "<string>" + s + "</string>";
                    case Long l -> "<int>" + l + "</int>";
                    case Double d -> "<double>" + d + "</double>";
                    case Boolean b -> "<boolean>" + (b ? 1 : 0) + "</boolean>";
                    case Instant t -> "<dateTime.iso8601>" + XapiDateTime.format(t) + "</dateTime.iso8601>";
                    case List<?> l -> "<array><data>" + String.join("", l.stream().map(this::value).toList()) + "</data></array>";
                    case Map<?, ?> m -> "<struct>" + String.join("", m.entrySet().stream()
                            .map(e -> "<member><name>" + e.getKey() + "</name>" + value(e.getValue()) + "</member>").toList()) + "</struct>";
                    default -> throw new IllegalArgumentException(v.toString());
                } + "</value>";
            }
        },
        JSON {
            @Override RpcOutcome call(String method, Object... params) throws Exception {
                var request = new LinkedHashMap<String, Object>();
                request.put("jsonrpc", "2.0");
                request.put("method", method);
                request.put("params", Arrays.stream(params).map(p -> p instanceof Untyped u ? u.text()
                        : p instanceof Instant t ? XapiDateTime.format(t) : p).toList());
                request.put("id", 1);
                return JsonRpc.parseReply(post("/jsonrpc", JsonRpc.CONTENT_TYPE, new ObjectMapper().writeValueAsString(request))).outcome();
            }
        };

        abstract RpcOutcome call(String method, Object... params) throws Exception;

        /** A call in the session. */
        RpcOutcome in(String method, Object... params) throws Exception {
            var all = new ArrayList<Object>();
            all.add(session);
            all.addAll(Arrays.asList(params));
            return call(method, all.toArray());
        }

        static byte[] post(String path, String type, String body) throws Exception {
            var request = HttpRequest.newBuilder(URI.create(daemon.url() + path)).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body, UTF_8)).build();
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
        }
    }

    /** XML-RPC's untyped {@code <value>text</value>}, which XAPI reads as a string (and JSON writes as one). */
    record Untyped(String text) {}

    static List<String> refusal(Wire wire, String method, Object... params) throws Exception {
        return assertInstanceOf(RpcOutcome.Failure.class, wire.in(method, params), method).error().description();
    }

    static Object value(Wire wire, String method, Object... params) throws Exception { return wire.in(method, params).valueOrThrow(); }

    static List<String> internal(String failure) { return List.of("INTERNAL_ERROR", "Failure(\"" + failure + "\")"); }

    @Test
    void aNumberForAStringIsRefusedAndNothingChanges() throws Exception {
        for (Wire wire : Wire.values()) {
            value(wire, "host.set_name_description", host, "before");
            assertEquals(internal("Expected string, got 'I(42)'"), refusal(wire, "host.set_name_description", host, 42L), wire.name());
            assertEquals(internal("Expected string, got 'F(4.5)'"), refusal(wire, "host.set_name_description", host, 4.5), wire.name());
            assertEquals(internal("Expected string, got 'B(true)'"), refusal(wire, "host.set_name_description", host, true), wire.name());
            assertEquals("before", value(wire, "host.get_name_description", host));
        }
    }

    @Test
    void int64TakesNumbersAndNumericStringsButNoFloat() throws Exception {
        long mtu = 9000;
        for (Wire wire : Wire.values()) {
            for (Object given : List.of(mtu, String.valueOf(mtu + 1), new Untyped(String.valueOf(mtu + 2)), "-0x10", "1_500")) {
                value(wire, "network.set_MTU", network, given);
                long expected = given instanceof Long l ? l : given instanceof Untyped u ? Long.parseLong(u.text())
                        : given.equals("-0x10") ? -16 : given.equals("1_500") ? 1500 : Long.parseLong((String) given);
                assertEquals(String.valueOf(expected), String.valueOf(value(wire, "network.get_MTU", network)), wire + " " + given);
            }
            assertEquals(internal("Expected int64, got 'F(1500)'"), refusal(wire, "network.set_MTU", network, 1500.0), wire.name());
            assertEquals(internal("Expected int64, got 'F(1500.5)'"), refusal(wire, "network.set_MTU", network, 1500.5), wire.name());
            assertEquals(internal("Expected int64, got 'B(false)'"), refusal(wire, "network.set_MTU", network, false), wire.name());
            assertEquals(internal("Int64.of_string"), refusal(wire, "network.set_MTU", network, "big"), wire.name());
            assertEquals(internal("Int64.of_string"), refusal(wire, "network.set_MTU", network, " 1500"), wire.name());
            assertEquals(internal("Int64.of_string"), refusal(wire, "network.set_MTU", network, "9223372036854775808"), wire.name());
        }
    }

    @Test
    void floatTakesFloatsIntsAndNumericStrings() throws Exception {
        String task = (String) daemon.rpc("task.create", "types", "");
        for (Wire wire : Wire.values()) {
            for (var given : List.<Object[]>of(new Object[] {0.25, 0.25}, new Object[] {1L, 1.0}, new Object[] {"0.5", 0.5},
                    new Object[] {new Untyped("7.5e-1"), 0.75})) {
                value(wire, "task.set_progress", task, given[0]);
                assertEquals(given[1], daemon.rpc("task.get_progress", task), wire + " " + given[0]);
            }
            assertEquals(internal("float_of_string"), refusal(wire, "task.set_progress", task, "half"), wire.name());
            assertEquals(internal("Expected float, got 'B(true)'"), refusal(wire, "task.set_progress", task, true), wire.name());
            assertEquals(internal("Expected float, got '[I(1)]'"), refusal(wire, "task.set_progress", task, List.of(1L)), wire.name());
        }
    }

    @Test
    void boolTakesOnlyBooleans() throws Exception {
        String pool = (String) ((List<?>) daemon.rpc("pool.get_all")).getFirst();
        for (Wire wire : Wire.values()) {
            value(wire, "pool.set_wlb_verify_cert", pool, true);
            assertEquals(true, daemon.rpc("pool.get_wlb_verify_cert", pool));
            assertEquals(internal("Expected bool, got 'S(false)'"), refusal(wire, "pool.set_wlb_verify_cert", pool, "false"), wire.name());
            assertEquals(internal("Expected bool, got 'S(0)'"), refusal(wire, "pool.set_wlb_verify_cert", pool, new Untyped("0")), wire.name());
            assertEquals(internal("Expected bool, got 'I(0)'"), refusal(wire, "pool.set_wlb_verify_cert", pool, 0L), wire.name());
            assertEquals(true, daemon.rpc("pool.get_wlb_verify_cert", pool));
        }
    }

    @Test
    void datetimeTakesDatesAndDateStrings() throws Exception {
        for (Wire wire : Wire.values()) {
            assertInstanceOf(Map.class, value(wire, "message.get_since", Instant.parse("2024-01-31T12:34:56Z")));
            assertInstanceOf(Map.class, value(wire, "message.get_since", "2024-01-31T12:34:56Z"));
            assertEquals(List.of("INTERNAL_ERROR", "Invalid argument: Clock__Date.of_iso8601: yesterday"),
                    refusal(wire, "message.get_since", "yesterday"), wire.name());
            assertEquals(internal("Date.t_of_rpc"), refusal(wire, "message.get_since", 1706704496L), wire.name());
        }
    }

    @Test
    void enumTakesItsValuesInAnyCase() throws Exception {
        for (Wire wire : Wire.values()) {
            value(wire, "network.set_default_locking_mode", network, "DISABLED");
            assertEquals("disabled", daemon.rpc("network.get_default_locking_mode", network));
            value(wire, "network.set_default_locking_mode", network, "unlocked");
            assertEquals(internal("Unknown tag/contents"), refusal(wire, "network.set_default_locking_mode", network, "locked"), wire.name());
            assertEquals(internal("Unknown tag/contents"), refusal(wire, "network.set_default_locking_mode", network, 1L), wire.name());
        }
    }

    @Test
    void refsSetsMapsAndRecordsOfTheWrongShape() throws Exception {
        for (Wire wire : Wire.values()) {
            assertEquals(internal("Expected string, got 'I(7)'"), refusal(wire, "network.get_record", 7L), wire.name());
            assertEquals(List.of("HANDLE_INVALID", "network", "OpaqueRef:none"), refusal(wire, "network.get_record", "OpaqueRef:none"));
            assertEquals(internal("Expecting Rpc.Enum, but found 'S(host)'"), refusal(wire, "event.from", "host", "", 0.1), wire.name());
            assertEquals(internal("Expected string, got 'I(1)'"), refusal(wire, "event.from", List.of(1L), "", 0.1), wire.name());
            assertEquals(internal("Expecting Rpc.Dict, but found '[S(k)]'"), refusal(wire, "host.set_other_config", host, List.of("k")), wire.name());
            assertEquals(internal("Expected string, got 'I(1)'"), refusal(wire, "host.add_to_other_config", host, "k", 1L), wire.name());
            assertEquals(internal("Expected string, got 'B(true)'"),
                    refusal(wire, "host.set_other_config", host, Map.of("k", true)), wire.name());
            assertEquals(internal("bad __structure"), refusal(wire, "network.create", "types"), wire.name());
            assertEquals(internal("Expected string, got 'I(5)'"), refusal(wire, "network.create", Map.of("name_label", 5L)), wire.name());
            assertEquals(internal("Int64.of_string"), refusal(wire, "network.create", Map.of("name_label", "n", "MTU", "jumbo")), wire.name());
        }
    }

    @Test
    void theSessionIsUnmarshalledFirstAsXapiDoes() throws Exception {
        for (Wire wire : Wire.values()) {
            assertEquals(internal("Expected string, got 'I(1)'"), assertInstanceOf(RpcOutcome.Failure.class,
                    wire.call("host.get_all", 1L)).error().description(), wire.name());
            // a wrongly typed argument is found before a session that is no session
            assertEquals(internal("Expected string, got 'I(42)'"), assertInstanceOf(RpcOutcome.Failure.class,
                    wire.call("host.set_name_description", "OpaqueRef:none", host, 42L)).error().description(), wire.name());
            assertEquals(List.of("SESSION_INVALID", "OpaqueRef:none"), assertInstanceOf(RpcOutcome.Failure.class,
                    wire.call("host.set_name_description", "OpaqueRef:none", host, "x")).error().description(), wire.name());
        }
    }

    @Test
    void quotesInTheValueAreEscapedAsOcamlPrintsThem() throws Exception {
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Expected bool, got 'S(say \\\"hi\\\" \\195\\169)'\")"),
                refusal(Wire.JSON, "pool.set_wlb_verify_cert", ((List<?>) daemon.rpc("pool.get_all")).getFirst(), "say \"hi\" é"));
    }
}
