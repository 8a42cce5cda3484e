package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The daemon's own reading of VMDK descriptors: what names a file, and the descriptor it writes for QEMU instead. */
class VmdkImageTest {
    static final String FLAT = """
            # Disk DescriptorFile
            version=1
            CID=72d4241d
            parentCID=ffffffff
            createType="monolithicFlat"

            # Extent description
            RW 16384 FLAT "disk-flat.vmdk" 0
            RW 2048 ZERO

            # The Disk Data Base
            #DDB
            ddb.adapterType = "lsilogic"
            """;

    @Test
    void extentsAndCapacityAreRead() throws Exception {
        VmdkImage.Descriptor d = VmdkImage.parse(FLAT);
        assertEquals("monolithicFlat", d.createType());
        assertEquals(List.of(new VmdkImage.Extent("RW", 16384, "FLAT", "disk-flat.vmdk", 0), new VmdkImage.Extent("RW", 2048, "ZERO", null, 0)), d.extents());
        assertEquals(18432L * 512, d.capacity());
    }

    @Test
    void aParentOrAnImageExtentIsRefused() {
        assertThrows(VmdkImage.Refused.class, () -> VmdkImage.parse(FLAT.replace("parentCID=ffffffff", "parentCID=0000abcd")));
        assertThrows(VmdkImage.Refused.class, () -> VmdkImage.parse(FLAT + "parentFileNameHint=\"base.vmdk\"\n"));
        assertThrows(VmdkImage.Refused.class, () -> VmdkImage.parse(FLAT.replace("FLAT \"disk", "VMFSSPARSE \"disk")));
    }

    @Test
    void anExtentNameMustStayInThePackage() throws Exception {
        assertEquals("disk-flat.vmdk", VmdkImage.packageName("disk-flat.vmdk"));
        assertEquals("disks/a.vmdk", VmdkImage.packageName("disks/a.vmdk"));
        for (String outside : List.of("/etc/passwd", "../x", "a/../../x", "a//b", "./a", "c:\\x", "", "a\\..\\x")) {
            assertThrows(VmdkImage.Refused.class, () -> VmdkImage.packageName(outside), outside);
        }
    }

    @Test
    void theRewrittenDescriptorNamesOnlyTheStagedFilesInVmwaresLayout() throws Exception {
        String out = VmdkImage.rewrite(VmdkImage.parse(FLAT), java.util.Arrays.asList("f3", null));
        assertTrue(out.contains("createType=\"monolithicFlat\"\n\n# Extent description\nRW 16384 FLAT \"f3\" 0\nRW 2048 ZERO\n\n# The Disk Data Base"), out);
        assertTrue(!out.contains("disk-flat") && !out.contains("lsilogic"), out);
    }
}
