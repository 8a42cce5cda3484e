package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.db.file.Frames;
import org.flotilla.db.file.StateLock.StateDirectoryLockedException;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
    private static final Model model = XenApi.model();
    private static final ClassDef VM = model.classDef("VM");

    @TempDir Path tmp;

    static Transaction tx(long gen) {
        var put = SampleValues.fullPut(VM, "OpaqueRef:vm" + gen,
                Map.of("uuid", "uuid-" + gen, "name_label", "vm " + gen, "user_version", gen,
                        "HVM_shadow_multiplier", gen == 3 ? Double.NaN : gen / 7.0));
        return new Transaction(gen, 1_763_890_000_000L + gen, List.of(put,
                new Op.Set("VM", put.ref(), "name_description", "described " + gen)));
    }

    static List<Transaction> replayed(Path dir) {
        var out = new ArrayList<Transaction>();
        try (var j = new FileJournal(dir, model)) { j.recover(out::add); }
        return out;
    }

    static void append(Path dir, List<Transaction> txs) {
        try (var j = new FileJournal(dir, model)) {
            j.recover(t -> { });
            txs.forEach(j::append);
        }
    }

    static Path onlyJournal(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> js = s.filter(p -> p.getFileName().toString().matches("journal-\\d+\\.log")).toList();
            assertEquals(1, js.size(), "journals: " + js);
            return js.getFirst();
        }
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) { return s.map(p -> p.getFileName().toString()).sorted().toList(); }
    }

    @Test
    void appendedTransactionsAreReplayedInOrderAfterReopen() {
        Path dir = tmp.resolve("state");
        append(dir, List.of(tx(1), tx(2), tx(3)));
        append(dir, List.of(tx(5)));
        assertEquals(List.of(tx(1), tx(2), tx(3), tx(5)), replayed(dir));
    }

    @Test
    void aSecondOpenOfTheDirectoryIsRefusedClearly() {
        Path dir = tmp.resolve("state");
        try (var j = new FileJournal(dir, model)) {
            j.recover(t -> { });
            var e = assertThrows(StateDirectoryLockedException.class, () -> new FileJournal(dir, model));
            assertTrue(e.getMessage().contains("in use") && e.getMessage().contains(Long.toString(ProcessHandle.current().pid())),
                    e.getMessage());
        }
        replayed(dir); // released on close
    }

    @Test
    void aTornLastRecordIsCutAtEveryByteAndAppendsFollowTheLastGoodOne() throws IOException {
        Path dir = tmp.resolve("state");
        append(dir, List.of(tx(1), tx(2), tx(3)));
        long before = Files.size(onlyJournal(dir));
        // a short last record, so that cutting at each of its bytes stays quick
        var last = new Transaction(4, 0, List.of(new Op.Delete("VM", "OpaqueRef:vm1"),
                new Op.Set("VM", "OpaqueRef:vm2", "other_config", Map.of("k", "v"))));
        append(dir, List.of(last));
        assertEquals(List.of(tx(1), tx(2), tx(3), last), replayed(dir));
        long after = Files.size(onlyJournal(dir));
        byte[] whole = Files.readAllBytes(onlyJournal(dir));
        String name = onlyJournal(dir).getFileName().toString();
        for (long cut = before; cut < after; cut++) {
            Path copy = tmp.resolve("cut" + cut);
            Files.createDirectories(copy);
            Files.write(copy.resolve(name), java.util.Arrays.copyOf(whole, (int) cut));
            assertEquals(List.of(tx(1), tx(2), tx(3)), replayed(copy), "cut at " + cut);
            assertEquals(before, Files.size(copy.resolve(name)), "torn tail removed, cut at " + cut);
            append(copy, List.of(tx(9)));
            assertEquals(List.of(tx(1), tx(2), tx(3), tx(9)), replayed(copy), "append after cut at " + cut);
            assertTrue(names(copy).stream().noneMatch(n -> n.contains("damaged")), "a torn tail is no damage");
            deleteTree(copy);
        }
    }

    @Test
    void aZeroFilledTailIsATornAppend() throws IOException {
        Path dir = tmp.resolve("state");
        append(dir, List.of(tx(1), tx(2)));
        Path j = onlyJournal(dir);
        Files.write(j, new byte[4096], StandardOpenOption.APPEND);
        assertEquals(List.of(tx(1), tx(2)), replayed(dir));
        assertTrue(names(dir).stream().noneMatch(n -> n.contains("damaged")));
    }

    @Test
    void aCorruptRecordInTheMiddleEndsReplayThereKeepsACopyAndAcceptsAppends() throws IOException {
        for (int victimByte : new int[] {0, 5, 30}) { // in the length, in the checksum, in the payload
            Path dir = tmp.resolve("state" + victimByte);
            append(dir, List.of(tx(1), tx(2)));
            long third = Files.size(onlyJournal(dir));
            append(dir, List.of(tx(3), tx(4), tx(5)));
            flipByte(onlyJournal(dir), third + victimByte);
            assertEquals(List.of(tx(1), tx(2)), replayed(dir), "byte " + victimByte);
            assertTrue(names(dir).stream().anyMatch(n -> n.contains(".damaged-")), "the damaged file is kept: " + names(dir));
            append(dir, List.of(tx(6)));
            assertEquals(List.of(tx(1), tx(2), tx(6)), replayed(dir));
        }
    }

    @Test
    void aRecordWithAGoodChecksumButBadJsonEndsReplay() throws IOException {
        Path dir = tmp.resolve("state");
        append(dir, List.of(tx(1)));
        try (FileChannel ch = FileChannel.open(onlyJournal(dir), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(Frames.frame("{\"gen\":2,\"time\":0,\"ops\":[{\"op\":".getBytes()));
            ch.write(Frames.frame(JsonCodec.bytes(new TransactionJson(new ValueJson(model)).encode(tx(3)))));
        }
        assertEquals(List.of(tx(1)), replayed(dir));
        append(dir, List.of(tx(4)));
        assertEquals(List.of(tx(1), tx(4)), replayed(dir));
    }

    @Test
    void aDirectoryOfSomethingElseIsNotTruncated() throws IOException {
        Path dir = tmp.resolve("state");
        append(dir, List.of(tx(1)));
        Path j = onlyJournal(dir);
        Files.write(j, "not a journal at all".getBytes());
        assertThrows(java.io.UncheckedIOException.class, () -> replayed(dir));
        assertEquals("not a journal at all", Files.readString(j));
        replayed(tmp.resolve("other")); // and the failed open let go of its lock
        assertThrows(java.io.UncheckedIOException.class, () -> replayed(dir));
    }

    @Test
    void compactionReplacesTheJournalWithASnapshot() throws IOException {
        Path dir = tmp.resolve("state");
        var state = new java.util.LinkedHashMap<String, Op.Put>();
        try (var j = new FileJournal(dir, model, 10_000)) {
            j.recover(t -> { });
            for (long g = 1; g <= 20; g++) {
                Transaction t = tx(g);
                j.append(t);
                Op.Put p = (Op.Put) t.ops().getFirst();
                var fields = new java.util.HashMap<>(p.fields());
                fields.put("name_description", "described " + g);
                state.put(p.ref(), new Op.Put("VM", p.ref(), fields));
                if (j.wantsCompaction()) j.compact(g, () -> List.copyOf(state.values()));
            }
        }
        List<String> files = names(dir);
        assertEquals(1, files.stream().filter(n -> n.startsWith("snapshot-")).count(), files.toString());
        assertEquals(1, files.stream().filter(n -> n.startsWith("journal-")).count(), files.toString());
        List<Transaction> back = replayed(dir);
        long snapshotGen = back.getFirst().generation();
        assertTrue(snapshotGen > 1, "compacted at " + snapshotGen);
        var recovered = new java.util.LinkedHashMap<String, Map<String, Object>>();
        for (Transaction t : back) {
            for (Op op : t.ops()) {
                switch (op) {
                    case Op.Put p -> recovered.put(p.ref(), new java.util.HashMap<>(p.fields()));
                    case Op.Set s -> recovered.get(s.ref()).put(s.field(), s.value());
                    case Op.Delete d -> recovered.remove(d.ref());
                }
            }
        }
        var expected = new java.util.LinkedHashMap<String, Map<String, Object>>();
        state.forEach((ref, p) -> expected.put(ref, p.fields()));
        assertEquals(expected, recovered);
        assertEquals(20, back.getLast().generation());
    }

    static void flipByte(Path file, long at) throws IOException {
        try (var f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }

}
