package org.flotilla.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;

/**
 * XenAPI over XML-RPC, both sides: the server parses calls and writes replies, a client writes calls and
 * parses replies. Replies are always a {@code Status} struct, never a {@code <fault>}, as XAPI answers
 * (ocaml-rpc's {@code Xmlrpc.string_of_response}); Xen Orchestra's client crashes on a fault.
 */
public final class XmlRpc {
    public static final String CONTENT_TYPE = "text/xml";
    private static final String PROLOG = "<?xml version=\"1.0\"?>";
    private static final byte[] RESPONSE = ascii(PROLOG + "<methodResponse><params><param>");
    private static final byte[] END_RESPONSE = ascii("</param></params></methodResponse>");
    private static final byte[] SUCCESS = ascii("<value><struct><member><name>Status</name><value>Success</value></member>"
            + "<member><name>Value</name>");
    private static final byte[] FAILURE = ascii("<value><struct><member><name>Status</name><value>Failure</value></member>"
            + "<member><name>ErrorDescription</name>");
    private static final byte[] END_STATUS_RESPONSE = ascii("</member></struct></value></param></params></methodResponse>");
    private static final byte[] CALL = ascii(PROLOG + "<methodCall><methodName>");
    private static final byte[] PARAMS = ascii("</methodName><params>");
    private static final byte[] PARAM = ascii("<param>");
    private static final byte[] END_PARAM = ascii("</param>");
    private static final byte[] END_CALL = ascii("</params></methodCall>");

    private XmlRpc() {}

    // ---- server side ----

    /** Parses a {@code methodCall}; throws {@link WireFormatException} for anything else. */
    public static RpcCall parseCall(byte[] body) {
        return XmlValueReader.read(body, r -> {
            r.start("methodCall");
            r.start("methodName");
            var method = r.text().strip();
            var params = new ArrayList<Object>();
            // XAPI insists on <params>; some XML-RPC clients leave it out of a call without arguments
            var next = r.nextChildOrEnd();
            if (next != null) {
                if (!next.equals("params")) throw r.malformed("expected <params>");
                while (r.nextChildOrEnd() != null) {
                    if (!r.currentName().equals("param")) throw r.malformed("expected <param>");
                    params.add(r.value());
                    r.end();
                }
                r.end();
            }
            if (method.isEmpty()) throw r.malformed("empty <methodName>");
            return new RpcCall(method, params);
        });
    }

    /** The reply to a call: {@code {Status: Success, Value}} or {@code {Status: Failure, ErrorDescription}}. */
    public static byte[] writeReply(RpcOutcome outcome) { return encodeReply(outcome).toByteArray(); }

    /** {@link #writeReply}'s bytes as the pieces they were written in, for a server that sends them as they are. */
    public static ChunkedBytes encodeReply(RpcOutcome outcome) {
        var out = start(RESPONSE);
        switch (outcome) {
            case RpcOutcome.Success s -> {
                out.write(SUCCESS);
                XmlValueWriter.write(out, s.value());
            }
            case RpcOutcome.Failure f -> {
                out.write(FAILURE);
                XmlValueWriter.write(out, f.error().description());
            }
        }
        out.write(END_STATUS_RESPONSE);
        return out;
    }

    /**
     * A reply holding the bare result with no Status struct. XAPI answers {@code system.listMethods} this
     * way (api_server.ml), and some XML-RPC introspection clients expect it.
     */
    public static byte[] writeBareReply(Object value) { return encodeBareReply(value).toByteArray(); }

    /** {@link #writeBareReply}'s bytes as the pieces they were written in. */
    public static ChunkedBytes encodeBareReply(Object value) {
        var out = start(RESPONSE);
        XmlValueWriter.write(out, value);
        out.write(END_RESPONSE);
        return out;
    }

    /** One value as XAPI writes it, e.g. a task's {@code result} field, which is XML even over JSON-RPC. */
    public static String writeValue(Object value) {
        return new String(writeDocument(value), StandardCharsets.UTF_8);
    }

    /** A document of one value, as XAPI's ova.xml is: {@code <value>...</value>} with no envelope. */
    public static byte[] writeDocument(Object value) {
        var out = new ChunkedBytes();
        XmlValueWriter.write(out, value);
        return out.toByteArray();
    }

    /** Reads a document of one {@code <value>}; throws {@link WireFormatException} for anything else. */
    public static Object parseValue(byte[] document) { return XmlValueReader.read(document, XmlValueReader::value); }

    // ---- client side ----

    public static byte[] writeCall(RpcCall call) {
        var out = start(CALL);
        XmlValueWriter.escape(out, call.method());
        out.write(PARAMS);
        for (var p : call.params()) {
            out.write(PARAM);
            XmlValueWriter.write(out, p);
            out.write(END_PARAM);
        }
        out.write(END_CALL);
        return out.toByteArray();
    }

    /**
     * Parses a {@code methodResponse}. A Status struct gives success or failure; a bare value (as for
     * {@code system.listMethods}) is a success; a {@code <fault>} from a foreign server becomes a failure with
     * code {@code fault} and parameters faultCode, faultString, as ocaml-rpc reports it.
     */
    public static RpcOutcome parseReply(byte[] body) {
        return XmlValueReader.read(body, r -> {
            r.start("methodResponse");
            var kind = r.nextChildOrEnd();
            RpcOutcome outcome;
            if ("params".equals(kind)) {
                r.start("param");
                outcome = outcomeOf(r.value());
                r.end();
            } else if ("fault".equals(kind)) {
                if (!(r.value() instanceof Map<?, ?> fault)) throw r.malformed("<fault> without a struct");
                outcome = RpcOutcome.failure(ApiError.of("fault",
                        String.valueOf(fault.get("faultCode")), String.valueOf(fault.get("faultString"))));
            } else {
                throw r.malformed("expected <params> or <fault>");
            }
            r.end();
            r.end();
            return outcome;
        });
    }

    private static RpcOutcome outcomeOf(Object value) {
        if (value instanceof Map<?, ?> m) {
            var status = m.get("Status");
            if ("Success".equals(status) && m.containsKey("Value")) return RpcOutcome.success(m.get("Value"));
            if ("Failure".equals(status) && m.containsKey("ErrorDescription")) {
                return RpcOutcome.failure(errorOf(m.get("ErrorDescription")));
            }
        }
        return RpcOutcome.success(value);
    }

    /** An ErrorDescription as the ApiError it describes; anything odd in it is stringified, as clients do. */
    static ApiError errorOf(Object description) {
        if (!(description instanceof List<?> list) || list.isEmpty()) {
            return ApiError.internal("unexpected error description: " + description);
        }
        var params = list.subList(1, list.size()).stream().map(String::valueOf).toList();
        return new ApiError(String.valueOf(list.getFirst()), params);
    }

    private static ChunkedBytes start(byte[] head) {
        var out = new ChunkedBytes();
        out.write(head);
        return out;
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }
}
