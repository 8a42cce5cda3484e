package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
