package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.Test;

/** How an iSCSI SR's table places extents: first fit, 1 MiB aligned, after the metadata area; SR_FULL when none fits. */
class LunMetadataTest {
    static final long MIB = 1 << 20;
    static final long LUN = 16 * MIB;

    @Test
    void extentsTakeTheFirstGapThatFitsAndSrFullWhenNoneDoes() throws IOException {
        LunMetadata m = LunMetadata.fresh("sr").allocated("a", 3 * MIB + 1, LUN).allocated("b", 2 * MIB, LUN).allocated("c", MIB, LUN);
        assertEquals(List.of(new LunMetadata.Extent("a", MIB, 4 * MIB), new LunMetadata.Extent("b", 5 * MIB, 2 * MIB),
                new LunMetadata.Extent("c", 7 * MIB, MIB)), m.extents());
        assertEquals(7 * MIB, m.used());
        assertEquals(15 * MIB, LunMetadata.capacity(LUN));

        // a freed extent's room is taken again by what fits in it; what does not goes after the last
        m = m.without("a").allocated("d", 2 * MIB, LUN).allocated("e", 3 * MIB, LUN);
        assertEquals(new LunMetadata.Extent("d", MIB, 2 * MIB), m.extent("d").orElseThrow());
        assertEquals(new LunMetadata.Extent("e", 8 * MIB, 3 * MIB), m.extent("e").orElseThrow());

        // free: 2 MiB at 3 MiB and 5 MiB at 11 MiB; 6 MiB fits nowhere though 7 are free
        LunMetadata full = m;
        ApiError e = assertThrows(ApiError.class, () -> full.allocated("f", 6 * MIB, LUN));
        assertEquals(List.of("SR_FULL", Long.toString(6 * MIB), Long.toString(5 * MIB)), e.description());

        // a rename replaces an extent of the new name, as a file rename does
        m = m.renamed("e", "d");
        assertEquals(new LunMetadata.Extent("d", 8 * MIB, 3 * MIB), m.extent("d").orElseThrow());
        assertEquals(List.of("b", "c", "d"), m.extents().stream().map(LunMetadata.Extent::name).toList());
        LunMetadata renamed = m;
        assertThrows(IOException.class, () -> renamed.renamed("nosuch", "x"));
    }
}
