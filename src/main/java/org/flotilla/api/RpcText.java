package org.flotilla.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.flotilla.model.FloatText;
import org.flotilla.model.XapiDateTime;

/**
 * The words XAPI's INTERNAL_ERROR carries when a parameter does not unmarshal: OCaml's {@code Printexc.to_string}
 * of the exception ocaml-rpc raised, which quotes a decoded value as {@code Rpc.to_string} writes it
 * ({@code I(42)}, {@code S(text)}, {@code [S(a);S(b)]}, …). Clients and scripts match on these texts.
 */
final class RpcText {
    private RpcText() {}

    /** {@code Failure("<message>")}: what {@code failwith message} reads as once XAPI reports it. */
    static String failure(String message) { return "Failure(" + ocamlQuoted(message) + ")"; }

    /** {@code Rpc.to_string} of a value as the codecs decode it ({@link Rpc}). */
    static String of(Object value) {
        return switch (value) {
            case null -> "N";
            case String s -> "S(" + s + ")";
            case Long l -> "I(" + l + ")";
            case Integer i -> "I(" + i + ")";
            case Double d -> "F(" + printfG(d) + ")";
            case Boolean b -> "B(" + b + ")";
            case Instant t -> "D(" + XapiDateTime.format(t) + ")";
            case List<?> l -> l.stream().map(RpcText::of).collect(Collectors.joining(";", "[", "]"));
            case Map<?, ?> m -> m.entrySet().stream().map(e -> e.getKey() + ":" + of(e.getValue()))
                    .collect(Collectors.joining(";", "{", "}"));
            default -> "S(" + value + ")";
        };
    }

    /** C's {@code %g}, which {@code Rpc.to_string} prints floats with. */
    private static String printfG(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0" : "0";
        return FloatText.g(d, 6);
    }

    /** OCaml's {@code %S}: a string literal, escaped byte by byte as {@code String.escaped} does. */
    private static String ocamlQuoted(String s) {
        var out = new StringBuilder(s.length() + 2).append('"');
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\b' -> out.append("\\b");
                default -> {
                    if (c >= ' ' && c <= '~') out.append((char) c);
                    else out.append('\\').append(String.format("%03d", c));
                }
            }
        }
        return out.append('"').toString();
    }
}
