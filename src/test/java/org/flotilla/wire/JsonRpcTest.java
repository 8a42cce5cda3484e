package org.flotilla.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.Test;

class JsonRpcTest {
    private static JsonRpcRequest request(String json) { return JsonRpc.parseRequest(json.getBytes(UTF_8)); }

    private static String reply(JsonRpcVersion v, Object id, RpcOutcome outcome) {
        return new String(JsonRpc.writeReply(v, id, outcome), UTF_8);
    }

    // ---- requests ----

    @Test
    void parsesVersion1() {
        var r = request("{\"method\":\"session.login_with_password\",\"params\":[\"root\",\"pw\",\"1.1\",\"xo\"],\"id\":7}");
        assertEquals(JsonRpcVersion.V1, r.version());
        assertEquals(7L, r.id());
        assertEquals(RpcCall.of("session.login_with_password", "root", "pw", "1.1", "xo"), r.call());
    }

    @Test
    void parsesVersion2WithStringIdsAndTypedValues() {
        var r = request("""
                {"jsonrpc":"2.0","method":"VM.set_memory","id":"a-1",
                 "params":["OpaqueRef:s", 268435456, 9007199254740993, 0.5, true, null, {"b":[1,"x"],"a":{}}]}""");
        assertEquals(JsonRpcVersion.V2, r.version());
        assertEquals("a-1", r.id());
        var p = r.call().params();
        assertEquals(268435456L, p.get(1));
        assertEquals(9007199254740993L, p.get(2)); // beyond a double's exact range: kept exact
        assertEquals(0.5, p.get(3));
        assertEquals(true, p.get(4));
        assertEquals(null, p.get(5));
        var m = assertInstanceOf(Map.class, p.get(6));
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, "x"), m.get("b"));
    }

    @Test
    void version2ParamsMayBeAbsentOrOneStruct() {
        assertEquals(List.of(), request("{\"jsonrpc\":\"2.0\",\"method\":\"system.listMethods\",\"id\":1}").call().params());
        assertEquals(List.of(), request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":null,\"id\":1}").call().params());
        assertEquals(List.of(Map.of("k", "v")),
                request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"k\":\"v\"},\"id\":1}").call().params());
    }

    @Test
    void refusesWhatXapiRefuses() {
        for (var bad : List.of(
                "",
                "   ",
                "not json",
                "[1,2]",
                "\"x\"",
                "{\"method\":\"m\",\"params\":[]",
                "{\"method\":\"m\",\"params\":[],\"id\":1} {}",
                "{\"params\":[],\"id\":1}",
                "{\"method\":5,\"params\":[],\"id\":1}",
                "{\"method\":\"m\",\"id\":1}",                      // 1.0 needs params
                "{\"method\":\"m\",\"params\":{\"a\":1},\"id\":1}",  // 1.0 params must be an array
                "{\"method\":\"m\",\"params\":\"x\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":5,\"id\":1}",
                "{\"jsonrpc\":\"1.0\",\"method\":\"m\",\"params\":[],\"id\":1}",
                "{\"method\":\"m\",\"params\":[]}",                  // no notifications
                "{\"method\":\"m\",\"params\":[],\"id\":null}",
                "{\"method\":\"m\",\"params\":[],\"id\":1.5}",
                "{\"method\":\"m\",\"params\":[],\"id\":[1]}",
                "{\"method\":\"m\",\"params\":[123456789012345678901234567890],\"id\":1}",
                "<methodCall><methodName>x</methodName><params/></methodCall>")) {
            assertThrows(WireFormatException.class, () -> request(bad), bad);
        }
    }

    // ---- replies ----

    @Test
    void version1Shapes() {
        assertEquals("{\"result\":\"OpaqueRef:x\",\"error\":null,\"id\":1}",
                reply(JsonRpcVersion.V1, 1L, RpcOutcome.success("OpaqueRef:x")));
        assertEquals("{\"result\":null,\"error\":[\"SESSION_INVALID\",\"OpaqueRef:x\"],\"id\":\"abc\"}",
                reply(JsonRpcVersion.V1, "abc", RpcOutcome.failure(ApiError.of("SESSION_INVALID", "OpaqueRef:x"))));
    }

    @Test
    void version2ShapesHaveNoErrorKeyOnSuccess() {
        var ok = reply(JsonRpcVersion.V2, "abc", RpcOutcome.success(List.of()));
        assertEquals("{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":\"abc\"}", ok);
        assertFalse(ok.contains("error"));
        assertEquals("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"HANDLE_INVALID\",\"data\":[\"VM\",\"OpaqueRef:x\"]},\"id\":9}",
                reply(JsonRpcVersion.V2, 9L, RpcOutcome.failure(ApiError.of("HANDLE_INVALID", "VM", "OpaqueRef:x"))));
        assertEquals("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"EVENTS_LOST\",\"data\":[]},\"id\":9}",
                reply(JsonRpcVersion.V2, 9L, RpcOutcome.failure(ApiError.of("EVENTS_LOST"))));
    }

    @Test
    void valueEncoding() {
        var record = new LinkedHashMap<Object, Object>();
        record.put("memory_static_max", 4294967296L);
        record.put("count", 3);
        record.put("live", true);
        record.put("utilisation", 0.25);
        record.put("last_updated", Instant.parse("2024-01-31T12:34:56Z"));
        record.put(0L, "keys stringified");
        record.put("tags", List.of("a\"b", "é"));
        record.put("void", null);
        assertEquals("{\"result\":{\"memory_static_max\":4294967296,\"count\":3,\"live\":true,\"utilisation\":0.25,"
                        + "\"last_updated\":\"20240131T12:34:56Z\",\"0\":\"keys stringified\",\"tags\":[\"a\\\"b\",\"é\"],"
                        + "\"void\":\"\"},\"error\":null,\"id\":1}",
                reply(JsonRpcVersion.V1, 1L, RpcOutcome.success(record)));
        assertEquals("{\"result\":\"\",\"error\":null,\"id\":1}", reply(JsonRpcVersion.V1, 1L, RpcOutcome.success(null)));
    }

    // ---- client side ----

    @Test
    void callsRoundTrip() {
        var call = RpcCall.of("event.from", List.of("*"), "", 60.1, 5L, Map.of("k", "v"));
        for (var v : JsonRpcVersion.values()) {
            var parsed = JsonRpc.parseRequest(JsonRpc.writeCall(v, 42L, call));
            assertEquals(new JsonRpcRequest(v, 42L, call), parsed);
        }
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"session.logout\",\"params\":[\"OpaqueRef:s\"],\"id\":\"x\"}",
                new String(JsonRpc.writeCall(JsonRpcVersion.V2, "x", RpcCall.of("session.logout", "OpaqueRef:s")), UTF_8));
    }

    @Test
    void repliesRoundTrip() {
        var failure = RpcOutcome.failure(ApiError.of("VM_BAD_POWER_STATE", "OpaqueRef:v", "halted", "running"));
        for (var v : JsonRpcVersion.values()) {
            var ok = JsonRpc.parseReply(JsonRpc.writeReply(v, 3L, RpcOutcome.success(Map.of("a", 1L))));
            assertEquals(new JsonRpcReply(v, 3L, RpcOutcome.success(Map.of("a", 1L))), ok);
            var bad = JsonRpc.parseReply(JsonRpc.writeReply(v, "i", failure));
            var error = assertInstanceOf(RpcOutcome.Failure.class, bad.outcome()).error();
            assertEquals(List.of("VM_BAD_POWER_STATE", "OpaqueRef:v", "halted", "running"), error.description());
            assertEquals("i", bad.id());
        }
    }

    @Test
    void refusesMalformedReplies() {
        for (var bad : List.of("{}", "{\"result\":1,\"id\":1}", "{\"jsonrpc\":\"2.0\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"result\":1,\"error\":{\"code\":1,\"message\":\"X\"},\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"error\":[\"X\"],\"id\":1}", "[]")) {
            assertThrows(WireFormatException.class, () -> JsonRpc.parseReply(bad.getBytes(UTF_8)), bad);
        }
    }

    @Test
    void sniffsJsonBodies() {
        assertTrue(JsonRpc.looksLikeJson(" \n{\"method\":1}".getBytes(UTF_8)));
        assertFalse(JsonRpc.looksLikeJson("<?xml version=\"1.0\"?>".getBytes(UTF_8)));
        assertFalse(JsonRpc.looksLikeJson(new byte[0]));
    }
}
