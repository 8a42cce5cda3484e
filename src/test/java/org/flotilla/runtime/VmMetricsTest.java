package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.flotilla.Slow;
import org.flotilla.daemon.Daemon;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A real guest writing to its disk, sampled by the daemon: its vCPU and disk rates show in /rrd_updates over
 * HTTPS (XML and JSON), in the data-source messages, and in its VM_metrics record.
 */
@Slow
class VmMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    VmHost h;
    Daemon daemon;
    HttpClient client;

    @BeforeEach
    void up() throws Exception {
        h = new VmHost(dir);
        h.closeNode();
        daemon = Daemon.start(dir.resolve("daemon"), ApiServerConfig.loopbackEphemeral(), "secret", "127.0.0.1");
        h.node = daemon.node();
        h.state = dir.resolve("daemon");
        h.session = (String) h.node.rpc().call("session.login_with_password", new ArrayList<>(List.of("root", "secret")));
        h.node.metrics().setInterval(Duration.ofSeconds(1));
        h.node.metrics().setRecordInterval(Duration.ZERO);
        client = TrustingTls.httpClient();
    }

    @AfterEach
    void down() {
        var pids = new ArrayList<>(h.node.vmRuntime().pids().values());
        try {
            daemon.close();
        } finally {
            h.node = null;
            for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            h.close();
        }
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.httpsPort() + pathAndQuery));
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String updates(long start, boolean json) {
        return "/rrd_updates?session_id=" + h.session + "&start=" + start + "&cf=AVERAGE&interval=5&host=true" + (json ? "&json=true" : "");
    }

    /** The newest known value of a series in a JSON export, or NaN. */
    static double newest(JsonNode export, String legend) {
        var names = export.path("meta").path("legend");
        for (int c = 0; c < names.size(); c++) {
            if (!names.get(c).asText().equals(legend)) continue;
            for (JsonNode row : export.path("data")) {
                double v = Double.parseDouble(row.path("values").get(c).asText());
                if (!Double.isNaN(v)) return v;
            }
        }
        return Double.NaN;
    }

    @Test
    void aWritingGuestsRatesShowInRrdUpdatesTheApiAndItsRecord() throws Exception {
        String vm = h.newVm("metered", "counter");
        h.newVbd(vm, h.newVdi("counted", 16), "0", "Disk");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "COUNT 5", 1, Duration.ofSeconds(30 * LOADED));
        String uuid = (String) h.vm(vm).get("uuid");
        String hostUuid = (String) h.node.db().get("host", h.node.hostRef()).get("uuid");
        String series = "AVERAGE:vm:" + uuid + ":";

        long start = System.currentTimeMillis() / 1000 - 60;
        JsonNode[] export = new JsonNode[1];
        VmHost.await(() -> {
            String body = "";
            try {
                var r = get(updates(start, true));
                body = r.statusCode() + " " + r.body();
                export[0] = JSON.readTree(r.body());
            } catch (Exception e) {
                throw new AssertionError(body, e);
            }
            return newest(export[0], series + "cpu0") > 0 && newest(export[0], series + "vbd_xvda_write") > 0
                    && newest(export[0], series + "memory_internal_free") > 0;
        }, Duration.ofSeconds(40 * LOADED), "non-zero cpu0, vbd_xvda_write and memory_internal_free in /rrd_updates");
        JsonNode meta = export[0].path("meta");
        assertEquals(meta.path("rows").asInt(), export[0].path("data").size());
        assertEquals(meta.path("columns").asInt(), meta.path("legend").size());
        assertEquals("5", meta.path("step").asText());
        for (JsonNode row : export[0].path("data")) assertEquals(meta.path("columns").asInt(), row.path("values").size());
        long t0 = export[0].path("data").get(0).path("t").asLong();
        assertEquals(meta.path("end").asLong(), t0, "newest row first");
        assertTrue(newest(export[0], series + "memory") >= 64 << 20);
        for (String name : List.of("cpu0", "cpu_avg", "memory_total_kib", "memory_free_kib", "loadavg")) {
            assertTrue(newest(export[0], "AVERAGE:host:" + hostUuid + ":" + name) >= 0, name);
        }
        System.out.printf("guest: cpu0 %.3f, vbd_xvda_write %.0f B/s, memory_internal_free %.0f KiB%n", newest(export[0], series + "cpu0"),
                newest(export[0], series + "vbd_xvda_write"), newest(export[0], series + "memory_internal_free"));

        // the same export as XML, whose counts agree with its content
        var xml = get(updates(start, false));
        assertEquals("text/xml", xml.headers().firstValue("Content-Type").orElse(""));
        assertEquals("", xml.headers().firstValue("Access-Control-Allow-Origin").orElse(""), "no CORS for a client that is no browser");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.body().getBytes(StandardCharsets.UTF_8)));
        int columns = Integer.parseInt(doc.getElementsByTagName("columns").item(0).getTextContent());
        int rows = Integer.parseInt(doc.getElementsByTagName("rows").item(0).getTextContent());
        assertEquals(columns, doc.getElementsByTagName("entry").getLength());
        assertEquals(rows, doc.getElementsByTagName("row").getLength());
        for (int r = 0; r < rows; r++) assertEquals(columns, ((Element) doc.getElementsByTagName("row").item(r)).getElementsByTagName("v").getLength());
        assertTrue(xml.body().contains("<entry>" + series + "vbd_xvda_read</entry>"));
        assertEquals("application/json", get(updates(start, false), "Accept", "application/json").headers().firstValue("Content-Type").orElse(""));

        // whole RRDs
        var vmRrd = get("/vm_rrd?session_id=" + h.session + "&uuid=" + uuid);
        assertTrue(vmRrd.body().startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rrd><version>0003</version><step>5</step>"), vmRrd.body());
        assertEquals(10, JSON.readTree(get("/host_rrd?json=true&session_id=" + h.session).body()).path("rra").size());
        assertEquals(404, get("/vm_rrd?session_id=" + h.session + "&uuid=nonesuch").statusCode());

        // no session, a bad one
        assertEquals(401, get("/rrd_updates?start=0&host=true").statusCode());
        assertEquals(401, get("/rrd_updates?start=0&host=true&session_id=OpaqueRef:bogus").statusCode());
        assertEquals(200, get("/rrd_updates?start=" + start + "&host=true", "Cookie", "session_id=" + h.session).statusCode());

        // the API
        assertInstanceOf(Double.class, h.call("VM.query_data_source", vm, "cpu0"));
        assertTrue((Double) h.call("VM.query_data_source", vm, "memory") > 0);
        assertTrue((Double) h.call("host.query_data_source", h.node.hostRef(), "memory_total_kib") > 0);
        assertEquals(List.of("INTERNAL_ERROR", "Rrd_interface.Rrdd_error([S(Rrdd_internal_error);S(Rrd.Invalid_data_source(\"nonsense\"))])"),
                h.fails("VM.query_data_source", vm, "nonsense").description());
        @SuppressWarnings("unchecked")
        var sources = (List<Map<String, Object>>) h.call("VM.get_data_sources", vm);
        assertTrue(sources.stream().anyMatch(s -> s.get("name_label").equals("vbd_xvda_write") && s.get("enabled").equals(true)), sources.toString());
        h.call("VM.forget_data_source_archives", vm, "vbd_xvda_write");
        h.call("VM.record_data_source", vm, "vbd_xvda_write");

        // the record, written as the samples come
        String metrics = (String) h.vm(vm).get("metrics");
        VmHost.await(() -> h.node.db().get("VM_metrics", metrics).<Long, Double>map("VCPUs_utilisation").containsKey(0L),
                Duration.ofSeconds(20 * LOADED), "VCPUs_utilisation");
        assertTrue(h.node.db().get("VM_metrics", metrics).integer("memory_actual") > 0);

        // the cost of sampling, the QMP readers and the daemon's other threads included
        h.node.metrics().setInterval(Duration.ofHours(1));
        Thread.sleep(1500);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < 20; i++) h.node.metrics().sample();
        System.out.printf("one sample of the host and one VM: %.2f ms wall, %.2f ms CPU of this JVM%n",
                (System.nanoTime() - wall0) / 2e7, (os.getProcessCpuTime() - cpu0) / 2e7);

        // a VM that stopped has no series here any more
        h.call("VM.hard_shutdown", vm);
        h.node.metrics().sample();
        assertFalse(get(updates(start, false)).body().contains(uuid));
        assertEquals("INTERNAL_ERROR", h.fails("VM.query_data_source", vm, "cpu0").code());
    }
}
