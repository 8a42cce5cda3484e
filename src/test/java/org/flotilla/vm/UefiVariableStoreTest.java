package org.flotilla.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The variable names read from OVMF's own stores, as Debian's ovmf package ships them, and from broken ones. */
class UefiVariableStoreTest {
    private static final Path OVMF = Path.of("/usr/share/OVMF");

    @Test
    void theSecureBootStoreHoldsTheFourKeysAndThePlainOneNone() throws IOException {
        Path ms = OVMF.resolve("OVMF_VARS_4M.ms.fd");
        Path plain = OVMF.resolve("OVMF_VARS_4M.fd");
        assumeTrue(Files.isRegularFile(ms) && Files.isRegularFile(plain), "Debian's ovmf package");
        Set<String> keys = UefiVariableStore.names(Files.readAllBytes(ms));
        assertTrue(keys.containsAll(Set.of("PK", "KEK", "db", "dbx")), keys.toString());
        Set<String> none = UefiVariableStore.names(Files.readAllBytes(plain));
        assertFalse(none.contains("PK"), none.toString());
    }

    @Test
    void aStoreCutShortOrNotAStoreListsWhatCanBeReadAndNoMore() throws IOException {
        assertEquals(Set.of(), UefiVariableStore.names(new byte[0]));
        assertEquals(Set.of(), UefiVariableStore.names(new byte[4096]));
        Path ms = OVMF.resolve("OVMF_VARS_4M.ms.fd");
        assumeTrue(Files.isRegularFile(ms));
        byte[] whole = Files.readAllBytes(ms);
        for (int cut : new int[] {50, 100, 200, 1000, 20_000}) {
            Set<String> some = UefiVariableStore.names(Arrays.copyOf(whole, cut));
            assertTrue(UefiVariableStore.names(whole).containsAll(some), cut + ": " + some);
        }
    }
}
