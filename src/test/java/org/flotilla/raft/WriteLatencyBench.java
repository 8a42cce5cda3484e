package org.flotilla.raft;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.IntConsumer;
import org.flotilla.db.Database;
import org.flotilla.db.FileJournal;

/**
 * Not a test: how long a write takes at the coordinator of a group of three on loopback, against the single
 * host's fsync'd journal, in one run on one machine. {@code java -cp … org.flotilla.raft.WriteLatencyBench [writes]}
 */
public final class WriteLatencyBench {
    private WriteLatencyBench() {}

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        Path dir = Files.createTempDirectory("flotilla-bench");
        try {
            long[] journal;
            try (var db = new Database(TestGroup.MODEL, new FileJournal(dir.resolve("journal"), TestGroup.MODEL))) {
                journal = timeWrites(writes, i -> ReplicatedDatabaseTest.createVm(db, i));
            }
            long[] raft;
            try (var group = TestGroup.ofVoters(dir.resolve("raft"), 3, RaftTuning.DEFAULT)) {
                Database db = group.coordinator().database();
                raft = timeWrites(writes, i -> ReplicatedDatabaseTest.createVm(db, i));
            }
            System.out.printf("%d writes, each a new VM record; after %d warm-up writes%n", writes, writes / 5);
            print("FileJournal (fsync)", journal);
            print("Raft, 3 members, loopback", raft);
            System.out.printf("ratio of medians: %.2f, of 99th percentiles: %.2f%n",
                    (double) pct(raft, 50) / pct(journal, 50), (double) pct(raft, 99) / pct(journal, 99));
        } finally {
            try (var files = Files.walk(dir)) { files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
        }
    }

    /** Times every write after a fifth as many warm-up writes, in nanoseconds, sorted. */
    private static long[] timeWrites(int writes, IntConsumer write) {
        int warmUp = writes / 5;
        for (int i = 0; i < warmUp; i++) write.accept(1_000_000 + i);
        long[] t = new long[writes];
        for (int i = 0; i < writes; i++) {
            long start = System.nanoTime();
            write.accept(i);
            t[i] = System.nanoTime() - start;
        }
        Arrays.sort(t);
        return t;
    }

    private static long pct(long[] sorted, int p) { return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)]; }

    private static void print(String what, long[] t) {
        System.out.printf("%-28s median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms   max %7.3f ms%n", what,
                pct(t, 50) / 1e6, pct(t, 90) / 1e6, pct(t, 99) / 1e6, t[t.length - 1] / 1e6);
    }
}
