package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.api.Refs;
import org.flotilla.daemon.Daemon;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.Test;

/**
 * Python's own clients read VM.get_all_records at 10,000 VMs: xmlrpc.client as it comes (it asks for gzip, and gets
 * the body stitched from each record's kept deflated bytes), xmlrpc.client told not to ask (plain XML-RPC), and JSON-RPC
 * through urllib. All must see the same records, once int64 strings, dates and the like are read alike; the compressed
 * reply twice, the second made from the deflated records the first kept; and only xmlrpc.client's gzip was asked for
 * and sent.
 */
@Slow
class PythonBulkRecordsTest {
    private static final int VMS = 10_000;
    private static final String PASSWORD = "bulk-records";
    private static final String CLIENT = """
            import json, ssl, sys, urllib.request, xmlrpc.client
            url = sys.argv[1]
            ctx = ssl._create_unverified_context()
            def jsonrpc(method, *params):
                body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
                req = urllib.request.Request(url + "/jsonrpc", data=body, headers={"Content-Type": "application/json"})
                reply = urllib.request.urlopen(req, context=ctx)
                assert reply.headers.get("Content-Encoding") is None, "gzip sent to a client that did not ask"
                return json.load(reply)["result"]
            class Recording(xmlrpc.client.SafeTransport):
                def parse_response(self, response):
                    self.encoding = response.getheader("Content-Encoding")
                    return super().parse_response(response)
            def xml(gzip):
                transport = Recording(context=ctx)
                transport.accept_gzip_encoding = gzip
                reply = xmlrpc.client.ServerProxy(url, transport=transport).VM.get_all_records(session)
                assert reply["Status"] == "Success", reply
                assert transport.encoding == ("gzip" if gzip else None), transport.encoding
                return reply["Value"]
            def alike(v):
                # what the two protocols write differently for the same field: int64 (a string in XML-RPC), dates
                if isinstance(v, bool) or isinstance(v, float): return v
                if isinstance(v, int): return str(v)
                if isinstance(v, xmlrpc.client.DateTime): return v.value
                if isinstance(v, dict): return {k: alike(x) for k, x in v.items()}
                if isinstance(v, list): return [alike(x) for x in v]
                return v
            session = jsonrpc("session.login_with_password", "root", sys.argv[2])
            by_json = alike(jsonrpc("VM.get_all_records", session))
            plain = xml(False)
            assert alike(plain) == by_json, "XML-RPC and JSON-RPC differ"
            # the first compressed reply deflates each kept record, the second sends what the first kept
            for _ in range(2): assert xml(True) == plain, "gzip and plain XML-RPC differ"
            names = sorted(r["name_label"] for r in by_json.values() if r["name_label"].startswith("vm "))
            print("RECORDS", len(by_json), names[0], names[-1])
            """;

    @Test
    void xmlrpcClientGzippedPlainAndJsonRpcReadTheSameRecords() throws Exception {
        Path state = Files.createTempDirectory("flotilla-bulk");
        try (Daemon daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), PASSWORD, "127.0.0.1")) {
            var db = daemon.node().db();
            for (int chunk = 0; chunk < VMS; chunk += 1000) {
                int first = chunk;
                db.write(tx -> {
                    for (int i = first; i < first + 1000; i++) {
                        // markup, a carriage return and characters beyond ASCII, which each codec escapes its own way
                        tx.put("VM", Refs.newRef(), Map.of("uuid", Refs.newUuid(), "name_label", "vm %05d <&> é ✓ 𝄞\r".formatted(i),
                                "memory_static_max", 1L << 34, "VCPUs_max", (long) i, "other_config", Map.of("n", "\"" + i + "\"")));
                    }
                });
            }
            int all = db.count("VM");
            Path script = state.resolve("client.py");
            Files.writeString(script, CLIENT);
            var command = new ProcessBuilder("python3", script.toString(), "https://127.0.0.1:" + daemon.httpsPort(), PASSWORD)
                    .redirectErrorStream(true);
            command.environment().put("PYTHONIOENCODING", "utf-8");
            Process p = command.start();
            try {
                boolean done = p.waitFor(300, TimeUnit.SECONDS);
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(done, "timed out\n" + out);
                assertEquals(0, p.exitValue(), out);
                assertTrue(out.contains("RECORDS " + all + " "), out);
                assertTrue(out.contains("vm 00000 <&> é ✓ 𝄞\r") && out.contains("vm 09999 <&> é ✓ 𝄞\r"), out);
            } finally {
                p.destroyForcibly();
            }
            assertTrue(all > VMS, "the control domain is listed beside the VMs made here: " + all);
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
