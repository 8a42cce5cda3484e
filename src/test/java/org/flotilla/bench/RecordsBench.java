package org.flotilla.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.flotilla.daemon.Daemon;
import org.flotilla.server.ApiServerConfig;
import org.flotilla.wire.ChunkedBytes;
import org.flotilla.wire.GzipBody;
import org.flotilla.wire.JsonRpc;
import org.flotilla.wire.JsonRpcVersion;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.RpcOutcome;
import org.flotilla.wire.XmlRpc;

/**
 * VM.get_all_records at 10,000 VMs over HTTPS keep-alive, JSON-RPC beside XML-RPC in the same rounds: read whole
 * without decoding (the server's cost), read and parsed as a client does, and asked for gzip (as Python's
 * xmlrpc.client asks) then inflated; and the daemon's own part, encoding and compressing, in CPU time. Run with
 * bench/records.sh; with {@code serve=ADDRESS} it only serves, on that address, until its standard input closes (for
 * the script's clients over loopback and over its rate-limited link), and prints its port.
 */
public final class RecordsBench {
    public static void main(String[] args) throws Exception {
        int vms = 10_000;
        int rounds = 11;
        String serve = null;
        for (String a : args) {
            if (a.startsWith("vms=")) vms = Integer.parseInt(a.substring(4));
            else if (a.startsWith("rounds=")) rounds = Integer.parseInt(a.substring(7));
            else if (a.startsWith("serve=")) serve = a.substring(6);
            else throw new IllegalArgumentException("unknown option " + a);
        }
        Path state = Files.createTempDirectory("flotilla-records-bench");
        var config = serve == null ? ApiServerConfig.loopbackEphemeral() : ApiServerConfig.loopbackEphemeral().withBindAddress(serve);
        try (Daemon daemon = Daemon.start(state, config, "bench", "127.0.0.1")) {
            ApiBench.addVms(daemon, vms);
            int port = daemon.httpsPort();
            if (serve != null) {
                System.out.println("port " + port);
                System.out.flush();
                System.in.read(); // served until the script closes our input
                return;
            }
            String session = (String) org.flotilla.cli.RemoteRpc.of("127.0.0.1", port, true)
                    .call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
            var all = new RpcCall("VM.get_all_records", List.of(session));
            byte[] xmlCall = XmlRpc.writeCall(all);
            byte[] jsonCall = JsonRpc.writeCall(JsonRpcVersion.V2, 1, all);
            System.out.printf("machine: %d cores, Java %s; %,d VMs, %d rounds, medians (min-max) in ms%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.version(), vms, rounds);

            Map<String, IntSupplier> legs = new LinkedHashMap<>();
            legs.put("JSON-RPC read", () -> post(port, "/jsonrpc", jsonCall, false).length);
            legs.put("XML-RPC read", () -> post(port, "/", xmlCall, false).length);
            legs.put("XML-RPC gzip read+inflate", () -> inflate(post(port, "/", xmlCall, true)).length);
            legs.put("JSON-RPC gzip read+inflate", () -> inflate(post(port, "/jsonrpc", jsonCall, true)).length);
            legs.put("JSON-RPC read+parse", () -> parsedJson(post(port, "/jsonrpc", jsonCall, false)));
            legs.put("XML-RPC read+parse", () -> parsedXml(post(port, "/", xmlCall, false)));
            legs.put("XML-RPC gzip read+inflate+parse", () -> parsedXml(inflate(post(port, "/", xmlCall, true))));
            Map<String, long[]> times = new LinkedHashMap<>();
            Map<String, Integer> sizes = new LinkedHashMap<>();
            for (var leg : legs.entrySet()) leg.getValue().getAsInt(); // encodes and keeps every record once
            System.out.printf("wire sizes: JSON %,d KiB, XML %,d KiB; gzip asked: JSON %,d KiB, XML %,d KiB%n",
                    post(port, "/jsonrpc", jsonCall, false).length >> 10, post(port, "/", xmlCall, false).length >> 10,
                    post(port, "/jsonrpc", jsonCall, true).length >> 10, post(port, "/", xmlCall, true).length >> 10);
            for (var leg : legs.keySet()) times.put(leg, new long[rounds]);
            for (int r = 0; r < rounds; r++) {
                for (var leg : legs.entrySet()) {
                    long t0 = System.nanoTime();
                    sizes.put(leg.getKey(), leg.getValue().getAsInt());
                    times.get(leg.getKey())[r] = System.nanoTime() - t0;
                }
            }
            inProcess(daemon, session, rounds);
            double jsonRead = median(times.get("JSON-RPC read"));
            double jsonParsed = median(times.get("JSON-RPC read+parse"));
            for (var leg : legs.keySet()) {
                long[] t = times.get(leg);
                double base = leg.contains("parse") ? jsonParsed : jsonRead;
                System.out.printf("  %-34s %6.0f (%4.0f-%4.0f)  ×JSON %.2f%n", leg, median(t), t[0] / 1e6, t[t.length - 1] / 1e6,
                        median(t) / base);
            }
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final HttpClient CLIENT = ApiBench.rawClient();

    private static byte[] post(int port, String path, byte[] body, boolean gzip) {
        try {
            var req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (gzip) req.header("Accept-Encoding", "gzip");
            var reply = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            return reply.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body inflated if it came gzipped (a server that does not compress sends it plain). */
    private static byte[] inflate(byte[] body) {
        if (body.length < 2 || body[0] != (byte) 0x1f || body[1] != (byte) 0x8b) return body;
        try (var in = new GZIPInputStream(new ByteArrayInputStream(body), 64 * 1024)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int parsedJson(byte[] body) {
        return ((Map<?, ?>) ((RpcOutcome.Success) JsonRpc.parseReply(body).outcome()).value()).size();
    }

    private static int parsedXml(byte[] body) {
        return ((Map<?, ?>) ((RpcOutcome.Success) XmlRpc.parseReply(body)).value()).size();
    }

    /**
     * The server's part alone, in process and in CPU time of this thread (the machine is shared): encoding the reply from
     * kept records, and compressing it from their kept deflated forms.
     */
    private static void inProcess(Daemon daemon, String session, int rounds) {
        var records = RpcOutcome.success(daemon.node().rpc().call("VM.get_all_records", new ArrayList<>(List.of(session))));
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Supplier<ChunkedBytes>> steps = new LinkedHashMap<>();
        ChunkedBytes[] body = new ChunkedBytes[1];
        steps.put("encoding JSON", () -> body[0] = JsonRpc.encodeReply(JsonRpcVersion.V2, 1, records));
        steps.put("gzip of it", () -> GzipBody.of(body[0]));
        steps.put("encoding XML", () -> body[0] = XmlRpc.encodeReply(records));
        steps.put("gzip of it ", () -> GzipBody.of(body[0]));
        Map<String, long[]> times = new LinkedHashMap<>();
        steps.keySet().forEach(step -> times.put(step, new long[rounds]));
        for (int r = 0; r < rounds; r++) {
            for (var step : steps.entrySet()) {
                long t0 = cpu.getCurrentThreadCpuTime();
                step.getValue().get();
                times.get(step.getKey())[r] = cpu.getCurrentThreadCpuTime() - t0;
            }
        }
        var line = new StringBuilder("in process, CPU ms:");
        times.forEach((step, t) -> line.append(String.format(" %s %.1f;", step.strip(), median(t))));
        System.out.println(line);
    }

    private static double median(long[] t) {
        Arrays.sort(t);
        return t[t.length / 2] / 1e6;
    }
}
