package org.flotilla.model;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * XAPI's datetime text. It writes {@code 20240131T12:34:56Z} (ISO 8601 basic date, extended time, always UTC,
 * no fraction); clients send that, the hyphenated extended form, fractions and offsets, or no zone at all,
 * which XAPI reads as UTC. Text that is none of these is an {@link IllegalArgumentException}.
 */
public final class XapiDateTime {
    private static final DateTimeFormatter WRITER =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LOCAL_WRITER = DateTimeFormatter.ofPattern("uuuuMMdd'T'HH:mm:ss");
    private static final Pattern READER = Pattern.compile(
            "(\\d{4})-?(\\d{2})-?(\\d{2})T(\\d{2}):?(\\d{2}):?(\\d{2})(?:[.,](\\d{1,9})\\d*)?(Z|[+-]\\d{2}(?::?\\d{2})?)?");

    private XapiDateTime() {}

    public static String format(Instant t) { return WRITER.format(t); }

    /** A local clock's reading: the same text with no zone, as XAPI writes its host's local time. */
    public static String format(LocalDateTime t) { return LOCAL_WRITER.format(t); }

    public static Instant parse(String text) {
        var m = READER.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("not a dateTime.iso8601: " + text);
        try {
            var fraction = m.group(7) == null ? 0 : Integer.parseInt((m.group(7) + "00000000").substring(0, 9));
            var local = LocalDateTime.of(num(m, 1), num(m, 2), num(m, 3), num(m, 4), num(m, 5), num(m, 6), fraction);
            var zone = m.group(8);
            var offset = zone == null || zone.equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(colonised(zone));
            return local.toInstant(offset);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("not a dateTime.iso8601: " + text, e);
        }
    }

    private static int num(java.util.regex.Matcher m, int group) { return Integer.parseInt(m.group(group)); }

    private static String colonised(String zone) {
        // ZoneOffset.of wants +hh or +hh:mm
        return zone.length() == 5 ? zone.substring(0, 3) + ":" + zone.substring(3) : zone;
    }
}
