package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.flotilla.Slow;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during a stream of commits, over and over on one state directory: every acknowledged
 * transaction survives, the state is exactly that of a prefix of the transactions (each one all or
 * nothing), and the next process carries on from it. Half of the rounds compact every few
 * transactions, so kills land during compactions too.
 */
@Slow
class CrashRecoveryTest {
    private static final Model model = XenApi.model();
    private static final int ROUNDS = 8;
    private static final long SMALL_JOURNAL = 24 * 1024;

    @TempDir Path tmp;

    @Test
    void killNineAtRandomMomentsLosesNothingAcknowledgedAndNothingHalfDone() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path dir = tmp.resolve("state");
        long lastCount = -1;
        int killedDuringCompaction = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long threshold = round % 2 == 0 ? SMALL_JOURNAL : FileJournal.DEFAULT_COMPACTION_BYTES;
            long killAfterMillis = 200 + random.nextInt(1300);
            String context = "seed " + seed + ", round " + round + ", kill after " + killAfterMillis + " ms";
            long maxAck = runAndKill(dir, threshold, killAfterMillis, tmp.resolve("child-" + round + ".err"), context);
            if (leftoversOfACompaction(dir)) killedDuringCompaction++;

            try (var db = DatabaseOnFileJournalTest.open(dir, threshold)) {
                long count = CrashWorkload.count(db);
                assertTrue(db.generation() >= maxAck, context + ": acknowledged " + maxAck + ", recovered " + db.generation());
                assertTrue(count >= lastCount, context + ": went back from " + lastCount + " to " + count);
                assertEquals(DatabaseOnFileJournalTest.expectedAfter(count), DatabaseOnFileJournalTest.persistentState(db),
                        context + ": not the state after transaction " + count);
                lastCount = count;
                if (round == ROUNDS - 1) { // and the recovered journal takes new writes that survive
                    long next = count + 1;
                    db.write(tx -> CrashWorkload.step(tx, next));
                    lastCount = next;
                }
            }
            System.out.println(context + ": recovered " + lastCount + " transactions");
        }
        try (var db = DatabaseOnFileJournalTest.open(dir, SMALL_JOURNAL)) {
            assertEquals(DatabaseOnFileJournalTest.expectedAfter(lastCount), DatabaseOnFileJournalTest.persistentState(db));
        }
        assertTrue(lastCount > 50, "the children committed only " + lastCount + " transactions in all");
        System.out.println("kills that left a compaction's files behind: " + killedDuringCompaction + " of " + ROUNDS);
    }

    /** Starts the workload in a child JVM, kills it -9 some time after it is ready; returns the last ACK. */
    private static long runAndKill(Path dir, long threshold, long killAfterMillis, Path stderr, String context)
            throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath,
                CrashWorkload.class.getName(), dir.toString(), Long.toString(threshold))
                .redirectError(stderr.toFile());
        Process child = pb.start();
        try {
            var ready = new CompletableFuture<Void>();
            AtomicLong maxAck = new AtomicLong(-1);
            Thread reader = Thread.ofPlatform().daemon().start(() -> readAcks(child, ready, maxAck));
            try {
                ready.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                fail(context + ": the child never became ready: " + Files.readString(stderr), e);
            }
            Thread.sleep(killAfterMillis);
            if (!child.isAlive()) fail(context + ": the child died by itself: " + Files.readString(stderr));
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing, no closing
            child.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
            return maxAck.get();
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void readAcks(Process child, CompletableFuture<Void> ready, AtomicLong maxAck) {
        try (var in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                // a line cut by the kill can only read as a smaller number: still a true claim
                if (line.startsWith("READY")) ready.complete(null);
                else if (line.startsWith("ACK ")) maxAck.accumulateAndGet(Long.parseLong(line.substring(4).trim()), Math::max);
            }
        } catch (IOException | NumberFormatException e) {
            // the pipe breaks when the child dies
        } finally {
            ready.complete(null);
        }
    }

    /** More than one journal, or a .tmp file: the kill came in the middle of a compaction. */
    private static boolean leftoversOfACompaction(Path dir) throws IOException {
        List<String> names = new ArrayList<>(FileJournalTest.names(dir));
        return names.stream().filter(n -> n.startsWith("journal-")).count() > 1
                || names.stream().filter(n -> n.startsWith("snapshot-")).count() > 1
                || names.stream().anyMatch(n -> n.endsWith(".tmp"));
    }
}
