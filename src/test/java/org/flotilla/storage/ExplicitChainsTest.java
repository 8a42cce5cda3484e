package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every qemu-img the storage runs as root describes each image it opens in full, from the SR's records: no
 * {@code qemu-img info}, no image opened by a name its header gives. A wrapper records each command line
 * before running the real qemu-img.
 */
class ExplicitChainsTest extends OnALocalSr {
    private static final Set<String> SUBCOMMANDS = Set.of("create", "resize", "convert");
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-f", "-F", "-O", "-o", "-b");

    private Path calls;

    private void bootWithRecordingQemuImg() throws IOException {
        calls = Files.createDirectories(dir.resolve("qemu-img-calls"));
        Path wrapper = dir.resolve("qemu-img");
        Files.writeString(wrapper, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + calls + "/$(date +%s%N)\nexec qemu-img \"$@\"\n");
        rebootWithQemuImg(wrapper);
    }

    private List<List<String>> recordedCalls() throws IOException {
        try (Stream<Path> s = Files.list(calls)) {
            var out = new ArrayList<List<String>>();
            for (Path f : s.sorted().toList()) out.add(Files.readAllLines(f));
            return out;
        }
    }

    /** The files a json: description names, top first; and it ends in a layer with no backing file. */
    private static List<String> filesOf(String description) throws IOException {
        assertTrue(description.startsWith("json:"), description);
        var out = new ArrayList<String>();
        JsonNode n = JSON.readTree(description.substring("json:".length()));
        while (true) {
            assertEquals("file", n.path("file").path("driver").asText(), n.toString());
            out.add(n.path("file").path("filename").asText());
            if (n.path("driver").asText().equals("raw")) {
                assertFalse(n.has("backing"), n.toString());
                return out;
            }
            assertEquals("qcow2", n.path("driver").asText());
            assertTrue(n.has("backing"), "every qcow2 layer says what backs it: " + n);
            if (n.get("backing").isNull()) return out;
            n = n.get("backing");
        }
    }

    @Test
    void qemuImgIsGivenWholeChainsAndNeverReadsAHeaderForTheDaemon() throws IOException {
        bootWithRecordingQemuImg();
        String sr = defaultSr();
        String disk = createVdi(sr, 4 * MIB, "disk");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64k", image(disk).toString());
        String snap = (String) call("VDI.snapshot", session, disk, Map.of());
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xcd 64k 64k", image(disk).toString());
        call("VDI.resize", session, disk, 8 * MIB);
        String clone = (String) call("VDI.clone", session, snap, Map.of());
        String copy = (String) call("VDI.copy", session, disk, sr);
        String into = createVdi(sr, 8 * MIB, "into");
        call("VDI.copy", session, snap, "OpaqueRef:NULL", "OpaqueRef:NULL", into);
        Path isos = Files.createDirectories(dir.resolve("isos"));
        Files.write(isos.resolve("cd.iso"), new byte[8192]);
        String isoSr = (String) call("SR.create", session, node.hostRef(), Map.of("location", isos.toString()), 0L, "ISOs", "", "iso", "iso", false);
        String iso = ((List<?>) call("SR.get_VDIs", session, isoSr)).getFirst().toString();
        String fromIso = (String) call("VDI.copy", session, iso, sr);

        List<List<String>> recorded = recordedCalls();
        assertTrue(recorded.size() >= 10, recorded.toString());
        int chains = 0;
        for (List<String> argv : recorded) {
            assertTrue(SUBCOMMANDS.contains(argv.getFirst()), "qemu-img " + argv);
            if (argv.getFirst().equals("create")) {
                int b = argv.indexOf("-b");
                if (b >= 0) {
                    assertTrue(argv.contains("-u"), "a backing file is written, not opened: " + argv);
                    assertTrue(LocalFileSr.isImageName(argv.get(b + 1)), argv.toString());
                }
                continue;
            }
            for (int i = 1; i < argv.size(); i++) {
                String arg = argv.get(i);
                if (arg.startsWith("-") || OPTIONS_WITH_VALUE.contains(argv.get(i - 1)) || arg.matches("\\d+")) continue;
                if (!arg.startsWith("json:")) {
                    assertTrue(argv.getFirst().equals("convert") && arg.equals(argv.getLast()) && !argv.contains("-n"),
                            "only a new image made by convert is named by its path: " + argv);
                    assertTrue(SrDriver.isTemporary(Path.of(arg).getFileName().toString()), arg);
                    continue;
                }
                chains++;
                for (String f : filesOf(arg)) {
                    assertEquals(localDir(), Path.of(f).getParent(), "an image of the SR, or the ISO's private copy: " + f);
                }
            }
        }
        assertTrue(chains >= 5, recorded.toString());

        // and the copies hold what their sources held
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(clone).toString());
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xcd 64k 64k", image(copy).toString());
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(into).toString());
        assertEquals(8192L, info(image(fromIso)).get("virtual-size").asLong());
        for (String v : List.of(disk, snap, clone, copy, into, fromIso)) assertChainChecks(v);
        assertEquals(List.of(), files(localDir()).stream().filter(SrDriver::isTemporary).toList());
    }
}
