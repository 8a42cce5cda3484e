package org.flotilla.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.flotilla.api.Refs;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Daemon;
import org.flotilla.server.ApiServerConfig;

/**
 * XenAPI throughput and latency over HTTPS with keep-alive, each figure beside a baseline measured in
 * the same run: the same HTTPS POST answered by an empty handler on the same server (the transport's
 * floor), so the ratio is what the toolstack adds. Run with bench/api.sh; not part of the test suite.
 */
public final class ApiBench {
    public static void main(String[] args) throws Exception {
        Path state = Files.createTempDirectory("flotilla-bench");
        try (Daemon daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1")) {
            daemon.server().addHandler("/bench-empty", new Handler.Abstract() {
                @Override
                public boolean handle(org.eclipse.jetty.server.Request request, Response response, org.eclipse.jetty.util.Callback callback) {
                    response.setStatus(200);
                    response.write(true, java.nio.ByteBuffer.wrap("<methodResponse/>".getBytes()), callback);
                    return true;
                }
            });
            // the same HTTPS POST answered with a body given beforehand: what moving a reply of that size costs by itself
            byte[][] fixedBody = {new byte[0]};
            daemon.server().addHandler("/bench-body", new Handler.Abstract(org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING) {
                @Override
                public boolean handle(org.eclipse.jetty.server.Request request, Response response, org.eclipse.jetty.util.Callback callback)
                        throws java.io.IOException {
                    // read as the API reads its calls: a body left unread makes the connection end with a reset
                    org.eclipse.jetty.io.Content.Source.asInputStream(request).readAllBytes();
                    response.setStatus(200);
                    response.getHeaders().put("Content-Length", fixedBody[0].length);
                    response.write(true, java.nio.ByteBuffer.wrap(fixedBody[0]), callback);
                    return true;
                }
            });
            int port = daemon.httpsPort();
            System.out.printf("machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(), Runtime.version());
            Rpc rpc = RemoteRpc.of("127.0.0.1", port, true);
            String session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
            Rpc empty = new RemoteRpc(java.net.URI.create("https://127.0.0.1:" + port + "/bench-empty"), true);
            String host = daemon.node().hostRef();

            warm(rpc, session, host, empty);
            double floor = medianMicros(2000, () -> callQuietly(empty, "x"));
            double getter = medianMicros(2000, () -> rpc.call("host.get_name_label", new ArrayList<>(List.of(session, host))));
            System.out.printf("getter latency, 1 client: %.0f µs median; empty HTTPS POST on the same server %.0f µs; ratio %.2f%n",
                    getter, floor, getter / floor);
            System.out.printf("  (design target: at least as fast as libvirt's ~96 µs local call: %.2f× of it)%n", getter / 96.0);

            for (int clients : new int[] {1, 16}) {
                double calls = throughput(clients, 3_000, () -> rpc.call("host.get_name_label", new ArrayList<>(List.of(session, host))));
                double floorCalls = throughput(clients, 3_000, () -> callQuietly(empty, "x"));
                System.out.printf("getters/s, %2d clients: %.0f; empty POSTs/s %.0f; ratio %.2f%n", clients, calls, floorCalls, calls / floorCalls);
            }

            int have = 0;
            for (int target : new int[] {1_000, 10_000}) {
                addVms(daemon, target - have);
                have = target;
                int vms = daemon.node().db().count("VM");
                var all = new org.flotilla.wire.RpcCall("VM.get_all_records", List.of(session));
                byte[] xml = org.flotilla.wire.XmlRpc.writeCall(all);
                byte[] json = org.flotilla.wire.JsonRpc.writeCall(org.flotilla.wire.JsonRpcVersion.V2, 1, all);
                int[] size = new int[2];
                double xmlMs = medianMicros(9, () -> size[0] = post(port, "/", xml)) / 1000;
                double jsonMs = medianMicros(9, () -> size[1] = post(port, "/jsonrpc", json)) / 1000;
                double inProcess = medianMicros(9, () -> daemon.node().rpc().call("VM.get_all_records", new ArrayList<>(List.of(session)))) / 1000;
                fixedBody[0] = new byte[size[1]];
                double jsonFloor = medianMicros(9, () -> post(port, "/bench-body", json)) / 1000;
                fixedBody[0] = new byte[size[0]];
                double xmlFloor = medianMicros(9, () -> post(port, "/bench-body", xml)) / 1000;
                fixedBody[0] = new byte[0];
                System.out.printf("VM.get_all_records with %,d VMs: JSON-RPC %.0f ms (%,d KiB), XML-RPC %.0f ms (%,d KiB), in process %.1f ms%n",
                        vms, jsonMs, size[1] >> 10, xmlMs, size[0] >> 10, inProcess);
                System.out.printf("  a body of the same size from a handler that has it ready: JSON %.0f ms, XML %.0f ms; XML-RPC / JSON-RPC %.2f%n",
                        jsonFloor, xmlFloor, xmlMs / jsonMs);
                renameAll(daemon, "renamed " + target);
                double jsonChanged = medianMicros(1, () -> post(port, "/jsonrpc", json)) / 1000;
                renameAll(daemon, "renamed again " + target);
                double xmlChanged = medianMicros(1, () -> post(port, "/", xml)) / 1000;
                System.out.printf("  the first call after every VM changed (nothing kept to copy): JSON-RPC %.0f ms, XML-RPC %.0f ms%n",
                        jsonChanged, xmlChanged);
            }
            System.out.println("  (design target: under 100 ms at 10,000 VMs over JSON-RPC, XML-RPC within 2x of JSON-RPC)");

            double wake = eventWakeMicros(rpc, session, host, 50);
            System.out.printf("event.from wake-up after a change: %.0f µs median (the change's own call: %.0f µs)%n",
                    wake, medianMicros(200, () -> rpc.call("host.set_name_description", new ArrayList<>(List.of(session, host, "x")))));
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final java.net.http.HttpClient RAW = rawClient();

    /** Posts a body and reads the whole reply without decoding it: the server's cost, not a client's parser. */
    private static int post(int port, String path, byte[] body) {
        try {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + port + path))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return RAW.send(req, java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body().length;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An HTTPS client that takes the daemon's self-signed certificate, over HTTP/1.1 as XenAPI clients speak. */
    static java.net.http.HttpClient rawClient() {
        try {
            var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) { }
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) { }
                public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
            }}, null);
            var params = new javax.net.ssl.SSLParameters();
            params.setEndpointIdentificationAlgorithm(null);
            return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .sslContext(ctx).sslParameters(params).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void warm(Rpc rpc, String session, String host, Rpc empty) {
        for (int i = 0; i < 3000; i++) {
            rpc.call("host.get_name_label", new ArrayList<>(List.of(session, host)));
            callQuietly(empty, "x");
        }
    }

    private static void callQuietly(Rpc rpc, String method) {
        try {
            rpc.call(method, new ArrayList<>());
        } catch (RuntimeException expected) {
            // the empty handler's reply is not a XenAPI reply: only the round trip is measured
        }
    }

    static void addVms(Daemon daemon, int n) {
        var db = daemon.node().db();
        for (int chunk = 0; chunk < n; chunk += 500) {
            int size = Math.min(500, n - chunk);
            db.write(tx -> {
                for (int i = 0; i < size; i++) {
                    tx.put("VM", Refs.newRef(), Map.of("uuid", Refs.newUuid(), "name_label", "bench vm " + i,
                            "memory_static_max", 268435456L, "memory_dynamic_max", 268435456L,
                            "memory_dynamic_min", 268435456L, "memory_static_min", 134217728L,
                            "VCPUs_max", 1L, "VCPUs_at_startup", 1L, "other_config", Map.of("bench", "true")));
                }
            });
        }
    }

    private static void renameAll(Daemon daemon, String name) {
        var db = daemon.node().db();
        db.write(tx -> db.all(org.flotilla.model.xenapi.VM.CLASS)
                .forEach(vm -> tx.set(vm.self(org.flotilla.model.xenapi.VM.CLASS), org.flotilla.model.xenapi.VM.name_label, name)));
    }

    private static double medianMicros(int n, Runnable op) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            op.run();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[n / 2] / 1000.0;
    }

    private static double throughput(int clients, long millis, Runnable op) throws InterruptedException {
        var done = new LongAdder();
        var start = new CountDownLatch(1);
        long[] end = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try { start.await(); } catch (InterruptedException e) { return; }
                while (System.nanoTime() < end[0]) { op.run(); done.increment(); }
            }));
        }
        long t0 = System.nanoTime();
        end[0] = t0 + millis * 1_000_000;
        start.countDown();
        for (Thread t : threads) t.join();
        return done.sum() / ((System.nanoTime() - t0) / 1e9);
    }

    @SuppressWarnings("unchecked")
    private static double eventWakeMicros(Rpc rpc, String session, String host, int rounds) throws Exception {
        long[] t = new long[rounds];
        var first = (Map<String, Object>) rpc.call("event.from", new ArrayList<>(List.of(session, List.of("host"), "", 1.0)));
        String token = (String) first.get("token");
        for (int i = 0; i < rounds; i++) {
            final String from = token;
            var reply = new java.util.concurrent.CompletableFuture<Map<String, Object>>();
            var arrived = new long[1];
            Thread.ofPlatform().start(() -> {
                var r = (Map<String, Object>) rpc.call("event.from", new ArrayList<>(List.of(session, List.of("host"), from, 30.0)));
                arrived[0] = System.nanoTime();
                reply.complete(r);
            });
            Thread.sleep(20);
            long t0 = System.nanoTime();
            rpc.call("host.set_name_description", new ArrayList<>(List.of(session, host, "wake " + i)));
            token = (String) reply.get().get("token");
            t[i] = arrived[0] - t0;
        }
        Arrays.sort(t);
        return t[rounds / 2] / 1000.0;
    }
}
