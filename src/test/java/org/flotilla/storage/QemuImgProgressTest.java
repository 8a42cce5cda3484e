package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qemu-img's {@code -p} output, as a conversion's progress: each percentage passed on, anything else kept for errors. */
class QemuImgProgressTest {
    @Test
    void percentagesBecomeFractionsAndTheRestIsKept() {
        var seen = new ArrayList<Double>();
        String out = "    (0.00/100%)\r    (1.27/100%)\r    (50.00/100%)\r    (100.00/100%)\r\nqemu-img: a warning\n";
        String rest = QemuImg.readProgress(new ByteArrayInputStream(out.getBytes(StandardCharsets.US_ASCII)), seen::add);
        assertEquals(List.of(0.0, 0.0127, 0.5, 1.0), seen);
        assertEquals("qemu-img: a warning\n", rest);
    }

    /** A caller whose progress throws (a task cancelled) ends the conversion: no qemu-img goes on writing behind it. */
    @Test
    void aConversionWhoseProgressThrowsIsStopped(@TempDir java.nio.file.Path dir) throws Exception {
        var qemu = QemuImg.system();
        var store = new LocalDir(dir);
        qemu.create(store, "src.qcow2", 512L << 20, null);
        new ProcessBuilder("qemu-io", "-c", "write -P 0x11 0 480M", dir.resolve("src.qcow2").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        qemu.create(store, "dst.qcow2", 512L << 20, null);
        var source = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().createObjectNode().put("driver", "qcow2");
        source.putObject("file").put("driver", "file").put("filename", dir.resolve("src.qcow2").toString());
        var dst = new Storage.Attachment(store, List.of(new Storage.Layer("dst.qcow2", "qcow2")), false);
        var cancelled = new IllegalStateException("cancelled");
        var thrown = assertThrows(IllegalStateException.class, () -> qemu.overwrite(source, dst, f -> { throw cancelled; }));
        assertSame(cancelled, thrown);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.current().children().anyMatch(QemuImgProgressTest::isQemuImg) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(ProcessHandle.current().children().noneMatch(QemuImgProgressTest::isQemuImg), "qemu-img still runs");
        long written = java.nio.file.Files.size(dir.resolve("dst.qcow2"));
        assertTrue(written < (240L << 20), "the conversion went on to write " + written + " bytes");
    }

    private static boolean isQemuImg(ProcessHandle p) {
        return p.isAlive() && p.info().command().map(c -> c.endsWith("qemu-img")).orElse(false);
    }
}
