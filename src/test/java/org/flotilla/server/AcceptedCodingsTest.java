package org.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Only a client that takes gzip gets it: as Python's xmlrpc.client and requests ask, and not when it says q=0. */
class AcceptedCodingsTest {
    @Test
    void gzipWhenNamedOrCoveredByAStar() {
        assertTrue(AcceptedCodings.gzip(List.of("gzip")));
        assertTrue(AcceptedCodings.gzip(List.of("gzip, deflate")));
        assertTrue(AcceptedCodings.gzip(List.of("br;q=1.0, GZIP;q=0.5")));
        assertTrue(AcceptedCodings.gzip(List.of("identity", "x-gzip")));
        assertTrue(AcceptedCodings.gzip(List.of("*")));
    }

    @Test
    void notWhenAbsentRefusedOrOnlyOthers() {
        assertFalse(AcceptedCodings.gzip(List.of()));
        assertFalse(AcceptedCodings.gzip(List.of("identity")));
        assertFalse(AcceptedCodings.gzip(List.of("deflate, br")));
        assertFalse(AcceptedCodings.gzip(List.of("gzip;q=0")));
        assertFalse(AcceptedCodings.gzip(List.of("gzip; q=0.000, *")));
        assertFalse(AcceptedCodings.gzip(List.of("*;q=0")));
        assertFalse(AcceptedCodings.gzip(List.of("gzip;q=junk")));
    }
}
