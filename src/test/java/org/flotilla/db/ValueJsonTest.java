package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Model;
import org.flotilla.model.Type;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;

class ValueJsonTest {
    private final Model model = XenApi.model();
    private final ValueJson values = new ValueJson(model);
    private final TransactionJson transactions = new TransactionJson(values);
    private final SampleValues samples = new SampleValues(model);

    /** Through bytes too: the journal stores text, and NaN or a long's last digit could be lost there. */
    private Object roundTrip(Type type, Object value) throws Exception {
        JsonNode node = values.encode(type, value);
        return values.decode(type, JsonCodec.parse(JsonCodec.bytes(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().set("v", node))).get("v"));
    }

    @Test
    void everyStoredClassOfTheDatamodelRoundTripsWithNonDefaultValues() throws Exception {
        int classes = 0;
        var typesSeen = new java.util.HashSet<Class<?>>();
        for (ClassDef c : model.classes()) {
            if (!c.stored()) continue;
            classes++;
            for (int seed = 0; seed < 9; seed++) { // every special float and int lands on every float/int field
                Map<String, Object> record = samples.record(c, seed);
                for (FieldDef f : c.fields().values()) {
                    if (f.derived()) continue;
                    typesSeen.add(f.type().getClass());
                    Object v = record.get(f.name());
                    if (seed == 0 && !(f.type() instanceof Type.Enum e && e.values().size() == 1)) {
                        assertFalse(v.equals(f.defaultValue()), c.name() + "." + f.name() + " sample is the default");
                    }
                    assertEquals(v, roundTrip(f.type(), v), c.name() + "." + f.name() + " (" + f.type().describe() + ")");
                }
                Op.Put put = SampleValues.fullPut(c, "OpaqueRef:" + c.name() + seed, record);
                var tx = new Transaction(7 + seed, 1_763_890_000_000L, List.of(put,
                        new Op.Set(c.name(), put.ref(), "uuid", "u-" + seed), new Op.Delete(c.name(), put.ref())));
                assertEquals(tx, transactions.decode(JsonCodec.parse(JsonCodec.bytes(transactions.encode(tx)))), c.name());
            }
        }
        assertTrue(classes > 40, "stored classes: " + classes);
        // the datamodel uses these types in stored fields; if it stops, this test needs new samples
        for (var t : List.of(Type.Str.class, Type.Int.class, Type.Float.class, Type.Bool.class, Type.DateTime.class,
                Type.Enum.class, Type.Ref.class, Type.Set.class, Type.Map.class)) {
            assertTrue(typesSeen.contains(t), "no stored field of " + t.getSimpleName());
        }
    }

    @Test
    void recordTypedValuesRoundTrip() throws Exception {
        Type probe = Type.record("probe_result");
        Object value = samples.of(probe, 3);
        assertEquals(value, roundTrip(probe, value));
    }

    @Test
    void typedMapKeysKeepTheirType() throws Exception {
        Type intKeys = Type.mapOf(Type.INT, Type.setOf(Type.STRING));
        var m = new LinkedHashMap<Object, Object>();
        m.put(Long.MIN_VALUE, List.of("a"));
        m.put(3L, List.of());
        Object back = roundTrip(intKeys, m);
        assertEquals(m, back);
        assertInstanceOf(Long.class, ((Map<?, ?>) back).keySet().iterator().next());
        assertEquals(List.of(Long.MIN_VALUE, 3L), new ArrayList<>(((Map<?, ?>) back).keySet()), "order kept");
        // the object form is read for typed keys too, e.g. from a hand-edited or older file
        JsonNode objectForm = JsonCodec.parse("{\"7\":[\"x\"]}".getBytes());
        assertEquals(Map.of(7L, List.of("x")), values.decode(intKeys, objectForm));
    }

    @Test
    void floatsAndTimesAreExact() throws Exception {
        for (double d : new double[] {Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 0.1 + 0.2, Math.PI, 5e-324}) {
            assertEquals(Double.valueOf(d), roundTrip(Type.FLOAT, d), "float " + d);
        }
        Instant t = Instant.parse("2026-11-23T09:42:07.123456789Z");
        assertEquals(t, roundTrip(Type.DATETIME, t));
        assertEquals(Instant.EPOCH, roundTrip(Type.DATETIME, Instant.EPOCH));
    }

    @Test
    void anOlderOrNewerDeclarationNeverMakesARecordUnreadable() throws Exception {
        ClassDef vm = model.classDef("VM");
        String json = """
                {"op":"put","class":"VM","ref":"OpaqueRef:a","fields":{
                  "uuid":"u1","name_label":"kept","a_field_from_the_future":{"x":[1,2]},
                  "user_version":"not a number any more"}}""";
        Op.Put put = (Op.Put) transactions.decodeOp(JsonCodec.parse(json.getBytes())).orElseThrow();
        assertEquals("kept", put.fields().get("name_label"));
        assertFalse(put.fields().containsKey("a_field_from_the_future"));
        assertEquals(0L, put.fields().get("user_version"), "a value that no longer fits takes the default");
        assertEquals(vm.field("HVM_shadow_multiplier").defaultValue(), put.fields().get("HVM_shadow_multiplier"));
        assertEquals(vm.fields().values().stream().filter(f -> !f.derived()).count(), put.fields().size());

        assertTrue(transactions.decodeOp(JsonCodec.parse(
                "{\"op\":\"put\",\"class\":\"Gone\",\"ref\":\"r\",\"fields\":{}}".getBytes())).isEmpty());
        assertTrue(transactions.decodeOp(JsonCodec.parse(
                "{\"op\":\"set\",\"class\":\"VM\",\"ref\":\"r\",\"field\":\"gone\",\"value\":1}".getBytes())).isEmpty());
    }
}
