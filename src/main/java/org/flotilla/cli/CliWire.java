package org.flotilla.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What xe and a host's {@code /cli} say to each other, as XAPI's xe hands its command line to the server to parse, run
 * and print. The request body is the user, the password, the debug flag, whether the user is at a terminal and the
 * command line, each a UTF-8 string ended by a NUL. The reply is a run of frames, each a tag byte and a 4-byte length before its bytes: standard output, standard
 * error, then the exit code; or, for a command that needs the client's own terminal, one frame asking xe to run it there.
 *
 * <p>Kept free of the model and the wire codecs, so that the client that speaks it starts in a blink.
 */
final class CliWire {
    static final String PATH = "/cli";
    static final String CONTENT_TYPE = "application/x-flotilla-cli";
    static final byte STDOUT = 'o';
    static final byte STDERR = 'e';
    static final byte EXIT = 'x';
    /**
     * The command is the client's to run, with the user's files or terminal: an empty frame over {@code /cli}, where xe
     * has its host and credentials; over the host's own socket, a {@link HandOver}.
     */
    static final byte ON_CLIENT = 'c';
    /** After it, the stream is a console's, both ways, until either side closes. */
    static final byte TERMINAL = 't';
    /** A command line is words; a megabyte of them is not one. */
    static final int MAX_REQUEST = 1 << 20;

    private CliWire() {}

    /** What a command is run with: who asks, whether a person types at xe's terminal, and the words after xe's global options. */
    record Request(String user, String password, boolean debug, boolean terminal, List<String> words) {
        Request {
            words = List.copyOf(words);
        }

        byte[] encode() {
            var out = new ByteArrayOutputStream();
            for (String s : header()) put(out, s);
            for (String w : words) put(out, w);
            return out.toByteArray();
        }

        private List<String> header() { return List.of(user, password, debug ? "1" : "0", terminal ? "1" : "0"); }

        private static void put(ByteArrayOutputStream out, String s) {
            if (s.indexOf('\0') >= 0) throw CliFailure.error("a command-line word cannot hold a NUL character");
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }

        /** The request in {@code body}, or null if it is not one. */
        static Request decode(byte[] body) {
            List<String> parts = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < body.length; i++) {
                if (body[i] != 0) continue;
                parts.add(new String(body, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
            if (start != body.length || parts.size() < 4 || !flag(parts.get(2)) || !flag(parts.get(3))) return null;
            return new Request(parts.get(0), parts.get(1), parts.get(2).equals("1"), parts.get(3).equals("1"), parts.subList(4, parts.size()));
        }

        private static boolean flag(String s) { return s.equals("0") || s.equals("1");
        }
    }

    static void writeFrame(OutputStream out, byte tag, byte[] bytes) throws IOException {
        var data = new DataOutputStream(out);
        data.writeByte(tag);
        data.writeInt(bytes.length);
        data.write(bytes);
    }

    static void writeExit(OutputStream out, int code) throws IOException {
        var data = new DataOutputStream(out);
        data.writeByte(EXIT);
        data.writeInt(4);
        data.writeInt(code);
    }

    /**
     * Where the client of the host's own socket runs a command itself: the host's HTTPS endpoint and a session the host
     * made for the socket's proven caller, which the client ends when the command is done. Over the socket xe has no
     * password to log in with.
     */
    record HandOver(String host, int port, String session) {
        byte[] encode() { return String.join("\n", host, Integer.toString(port), session).getBytes(StandardCharsets.UTF_8); }

        /** The hand-over in an ON_CLIENT frame's bytes; null for an empty frame, or bytes that are not one. */
        static HandOver decode(byte[] bytes) {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
            if (parts.length != 3 || !parts[1].matches("[0-9]{1,5}")) return null;
            return new HandOver(parts[0], Integer.parseInt(parts[1]), parts[2]);
        }
    }

    /** One frame of a reply; null at the end of the stream. */
    record Frame(byte tag, byte[] bytes) {
        static Frame read(InputStream in) throws IOException {
            var data = new DataInputStream(in);
            int tag = data.read();
            if (tag < 0) return null;
            int length = data.readInt();
            if (length < 0 || length > Integer.MAX_VALUE - 8) throw new IOException("a reply frame of " + length + " bytes");
            byte[] bytes = data.readNBytes(length);
            if (bytes.length < length) throw new IOException("the host's reply broke off");
            return new Frame((byte) tag, bytes);
        }

        int exitCode() { return ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff); }
    }
}
