package org.flotilla.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** JSON encoded earlier, for {@link JsonGenerator#writeRawValue}, which asks only for its bytes. */
record RawJson(byte[] utf8) implements SerializableString {
    @Override
    public byte[] asUnquotedUTF8() { return utf8; }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
        if (utf8.length > buffer.length - offset) return -1;
        System.arraycopy(utf8, 0, buffer, offset, utf8.length);
        return utf8.length;
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
        out.write(utf8);
        return utf8.length;
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
        if (utf8.length > buffer.remaining()) return -1;
        buffer.put(utf8);
        return utf8.length;
    }

    @Override
    public String getValue() { return new String(utf8, StandardCharsets.UTF_8); }

    @Override
    public int charLength() { return getValue().length(); }

    @Override
    public char[] asQuotedChars() { throw quoted(); }

    @Override
    public byte[] asQuotedUTF8() { throw quoted(); }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) { throw quoted(); }

    @Override
    public int appendQuoted(char[] buffer, int offset) { throw quoted(); }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
        char[] chars = getValue().toCharArray();
        if (chars.length > buffer.length - offset) return -1;
        System.arraycopy(chars, 0, buffer, offset, chars.length);
        return chars.length;
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) { throw quoted(); }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) { throw quoted(); }

    private static UnsupportedOperationException quoted() {
        return new UnsupportedOperationException("encoded JSON is written raw, never as a string");
    }
}
