package org.flotilla.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.flotilla.model.ApiError;

/**
 * XenAPI over JSON-RPC 1.0 and 2.0, both sides, with the shapes of ocaml-rpc's {@code Jsonrpc} that XAPI uses:
 * <ul>
 * <li>1.0: {@code {"result":…,"error":null,"id":…}} or {@code {"result":null,"error":[CODE,…],"id":…}};</li>
 * <li>2.0: {@code {"jsonrpc":"2.0","result":…,"id":…}} with no error key, or
 * {@code {"jsonrpc":"2.0","error":{"code":1,"message":CODE,"data":[…]},"id":…}} (api_server.ml).</li>
 * </ul>
 */
public final class JsonRpc {
    public static final String CONTENT_TYPE = "application/json";
    /** The error code of every XenAPI failure in a 2.0 error object (api_server_common.ml's error_code_lit). */
    public static final long ERROR_CODE = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    static final JsonFactory FACTORY = MAPPER.getFactory();

    private JsonRpc() {}

    // ---- server side ----

    /**
     * Parses a request as XAPI does: {@code method} a string; {@code params} an array (in 2.0 it may be absent,
     * or one object standing for a single struct argument); {@code id} a number or string and required, since
     * XAPI serves no notifications.
     */
    public static JsonRpcRequest parseRequest(byte[] body) {
        if (!(tree(body) instanceof com.fasterxml.jackson.databind.node.ObjectNode request)) {
            throw new WireFormatException("JSON-RPC request is not an object");
        }
        var method = request.get("method");
        if (method == null) throw new WireFormatException("Required field method is missing");
        if (!method.isTextual()) throw new WireFormatException("Invalid field 'method' in request body");
        var version = versionOf(request, "request");
        var params = request.get("params");
        List<Object> args = switch (version) {
            case V1 -> {
                if (params == null) throw new WireFormatException("Required field params is missing");
                if (!params.isArray()) throw new WireFormatException("Invalid field 'params' in request body");
                yield list(params);
            }
            case V2 -> {
                if (params == null || params.isNull()) yield List.of();
                if (params.isArray()) yield list(params);
                if (params.isObject()) yield java.util.Collections.singletonList(JsonValues.read(params));
                throw new WireFormatException("Invalid field 'params' in request body");
            }
        };
        var id = request.get("id");
        if (id == null || !(id.isTextual() || (id.isIntegralNumber() && id.canConvertToLong()))) {
            throw new WireFormatException("Invalid field 'id' in request body");
        }
        return new JsonRpcRequest(version, JsonValues.read(id), new RpcCall(method.textValue(), args));
    }

    public static byte[] writeReply(JsonRpcVersion version, Object id, RpcOutcome outcome) {
        return encodeReply(version, id, outcome).toByteArray();
    }

    /** {@link #writeReply}'s bytes as the pieces they were written in, for a server that sends them as they are. */
    public static ChunkedBytes encodeReply(JsonRpcVersion version, Object id, RpcOutcome outcome) {
        return write(out -> {
            out.writeStartObject();
            if (version == JsonRpcVersion.V2) out.writeStringField("jsonrpc", "2.0");
            switch (outcome) {
                case RpcOutcome.Success s -> {
                    out.writeFieldName("result");
                    JsonValues.write(out, s.value());
                    if (version == JsonRpcVersion.V1) out.writeNullField("error");
                }
                case RpcOutcome.Failure f -> {
                    if (version == JsonRpcVersion.V1) {
                        out.writeNullField("result");
                        out.writeFieldName("error");
                        JsonValues.write(out, f.error().description());
                    } else {
                        out.writeObjectFieldStart("error");
                        out.writeNumberField("code", ERROR_CODE);
                        out.writeStringField("message", f.error().code());
                        out.writeFieldName("data");
                        JsonValues.write(out, f.error().params());
                        out.writeEndObject();
                    }
                }
            }
            out.writeFieldName("id");
            JsonValues.write(out, id);
            out.writeEndObject();
        });
    }

    // ---- client side ----

    public static byte[] writeCall(JsonRpcVersion version, Object id, RpcCall call) {
        return write(out -> {
            out.writeStartObject();
            if (version == JsonRpcVersion.V2) out.writeStringField("jsonrpc", "2.0");
            out.writeStringField("method", call.method());
            out.writeFieldName("params");
            JsonValues.write(out, call.params());
            out.writeFieldName("id");
            JsonValues.write(out, id);
            out.writeEndObject();
        }).toByteArray();
    }

    public static JsonRpcReply parseReply(byte[] body) {
        if (!(tree(body) instanceof com.fasterxml.jackson.databind.node.ObjectNode reply)) {
            throw new WireFormatException("JSON-RPC reply is not an object");
        }
        var idNode = reply.get("id");
        if (idNode == null) throw new WireFormatException("JSON-RPC reply without id");
        var id = JsonValues.read(idNode);
        var version = versionOf(reply, "reply");
        var result = reply.get("result");
        var error = reply.get("error");
        RpcOutcome outcome = switch (version) {
            case V1 -> {
                if (result == null || error == null) throw new WireFormatException("JSON-RPC 1.0 reply needs result and error");
                yield error.isNull() ? RpcOutcome.success(JsonValues.read(result))
                        : RpcOutcome.failure(XmlRpc.errorOf(JsonValues.read(error)));
            }
            case V2 -> {
                if ((result == null) == (error == null)) throw new WireFormatException("JSON-RPC 2.0 reply needs result or error");
                yield result != null ? RpcOutcome.success(JsonValues.read(result)) : RpcOutcome.failure(errorObject(error));
            }
        };
        return new JsonRpcReply(version, id, outcome);
    }

    private static ApiError errorObject(JsonNode error) {
        if (!error.isObject() || !error.path("message").isTextual() || !error.path("code").isIntegralNumber()) {
            throw new WireFormatException("malformed JSON-RPC 2.0 error object: " + error);
        }
        var data = error.get("data") == null ? List.of() : JsonValues.read(error.get("data"));
        var params = data instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(data));
        return new ApiError(error.get("message").textValue(), params);
    }

    // ---- shared ----

    private static JsonNode tree(byte[] body) {
        try {
            var node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) throw new WireFormatException("Blank input data");
            return node;
        } catch (JsonProcessingException e) {
            throw new WireFormatException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonRpcVersion versionOf(com.fasterxml.jackson.databind.node.ObjectNode message, String what) {
        var tag = message.get("jsonrpc");
        if (tag == null) return JsonRpcVersion.V1;
        if (tag.isTextual() && tag.textValue().equals("2.0")) return JsonRpcVersion.V2;
        throw new WireFormatException("Invalid field 'jsonrpc' in " + what + " body");
    }

    private static List<Object> list(JsonNode array) {
        @SuppressWarnings("unchecked")
        var items = (List<Object>) JsonValues.read(array);
        return items;
    }

    private interface Writer {
        void write(JsonGenerator out) throws IOException;
    }

    private static ChunkedBytes write(Writer writer) {
        var bytes = new ChunkedBytes();
        try (var out = FACTORY.createGenerator(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    /** Whether a body looks like JSON rather than XML: XAPI's legacy {@code /json} path gets both. */
    public static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (b == '{') return true;
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') return false;
        }
        return false;
    }

}
