package org.flotilla.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class XapiDateTimeTest {
    private static final Instant T = Instant.parse("2024-01-31T12:34:56Z");

    @Test
    void writesXapisBasicForm() {
        assertEquals("20240131T12:34:56Z", XapiDateTime.format(T));
        assertEquals("19700101T00:00:00Z", XapiDateTime.format(Instant.EPOCH));
    }

    @Test
    void writesALocalClockReadingWithNoZone() {
        assertEquals("20240131T13:34:56", XapiDateTime.format(LocalDateTime.of(2024, 1, 31, 13, 34, 56, 999_000_000)));
    }

    @Test
    void readsTheFormsClientsSend() {
        for (var text : new String[] {"20240131T12:34:56Z", "2024-01-31T12:34:56Z", "20240131T12:34:56",
                "2024-01-31T12:34:56", "20240131T123456Z", "2024-01-31T13:34:56+01:00", "2024-01-31T07:34:56-0500",
                " 20240131T12:34:56Z "}) {
            assertEquals(T, XapiDateTime.parse(text), text);
        }
        assertEquals(T.plusMillis(250), XapiDateTime.parse("2024-01-31T12:34:56.25Z"));
    }

    @Test
    void refusesNonsense() {
        for (var text : new String[] {"", "now", "2024-13-01T00:00:00Z", "20240131", "20240131T25:00:00Z"}) {
            assertThrows(IllegalArgumentException.class, () -> XapiDateTime.parse(text), text);
        }
    }
}
