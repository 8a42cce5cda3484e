package org.flotilla.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.flotilla.model.Memo;

/**
 * The JSON and XML-RPC encodings of one version of a stored record, kept in its {@link Memo}: get_all_records sends
 * the bytes of every object that has not changed since it was last sent instead of encoding it again, which at
 * 10,000 VMs was most of the call's time. A record missing here is written into the reply by the same writer as any
 * other value and its bytes are copied from there, so what is kept is what would have been written; a record's
 * encoding does not depend on where in the reply it stands.
 */
final class RecordEncodings {
    private volatile KeptBytes json;
    private volatile KeptBytes xml;

    private static RecordEncodings of(Memo.Holder record) {
        Memo memo = record.memo();
        if (memo.get() instanceof RecordEncodings kept) return kept;
        var fresh = new RecordEncodings();
        memo.set(fresh);
        return fresh;
    }

    static void writeXml(ChunkedBytes out, Memo.Holder holder, Map<?, ?> record) {
        var kept = of(holder);
        KeptBytes keptXml = kept.xml;
        if (keptXml != null) {
            out.writeKept(keptXml);
            return;
        }
        long start = out.length();
        XmlValueWriter.struct(out, record);
        kept.xml = new KeptBytes(out.copySince(start));
    }

    static void writeJson(JsonGenerator out, Memo.Holder holder, Map<?, ?> record) throws IOException {
        if (!(out.getOutputTarget() instanceof ChunkedBytes target)) {
            JsonValues.object(out, record);
            return;
        }
        var kept = of(holder);
        KeptBytes keptJson = kept.json;
        if (keptJson != null) {
            out.writeRawValue(""); // the separator before the value, written by the generator that knows which
            out.flush();
            target.writeKept(keptJson);
            return;
        }
        out.flush();
        long start = target.length();
        JsonValues.object(out, record);
        out.flush();
        byte[] bytes = target.copySince(start);
        // the generator wrote the separator before the value (':' in an object, ',' in an array), which is not the value's
        kept.json = new KeptBytes(bytes[0] == '{' ? bytes : Arrays.copyOfRange(bytes, 1, bytes.length));
    }
}
