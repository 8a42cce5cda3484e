package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.os.NfsSession;
import org.flotilla.os.OsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The daemon's userspace NFS client (libnfs through FFM) against a real ganesha in a namespace of the test's. */
@Slow
class NfsSessionTest {
    static NfsServer server;

    @BeforeAll
    static void serve() throws Exception { server = NfsServer.onItsOwnNetwork(); }

    @AfterAll
    static void stop() { if (server != null) server.close(); }

    @Test
    void listsTheExportAndMakesRenamesLinksReadsAndRemovesFiles() throws Exception {
        assertEquals(List.of(NfsServer.EXPORT), NfsSession.exports(server.address()).stream().map(NfsSession.Export::dir).toList());
        try (var nfs = NfsSession.mount(server.address(), NfsServer.EXPORT, 0, 0)) {
            nfs.mkdir("/d");
            assertEquals(NfsSession.Kind.DIRECTORY, nfs.lstat("/d").kind());
            var made = TestCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "nfs://" + server.address() + NfsServer.EXPORT + "/d/a.qcow2", "1M"));
            assertEquals(0, made.exit(), made.output());
            var a = nfs.lstat("/d/a.qcow2");
            assertEquals(NfsSession.Kind.REGULAR, a.kind());
            try (var ch = nfs.openForReading("/d/a.qcow2")) {
                var head = ByteBuffer.allocate(4);
                ch.read(head);
                assertEquals("QFI\u00fb", new String(head.array(), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            nfs.link("/d/a.qcow2", "/d/b.qcow2");
            nfs.rename("/d/a.qcow2", "/d/c.qcow2");
            assertEquals(List.of("b.qcow2", "c.qcow2"), nfs.list("/d").stream().map(NfsSession.Entry::name).sorted().toList());
            assertEquals(a.size(), nfs.list("/d").getFirst().size());
            Files.createSymbolicLink(server.exportDir().resolve("d/l"), server.exportDir().resolve("d/b.qcow2"));
            assertEquals(NfsSession.Kind.SYMLINK, nfs.lstat("/d/l").kind());
            assertEquals(NfsSession.Kind.ABSENT, nfs.lstat("/d/none").kind());
            var space = nfs.space("/");
            assertTrue(space.total() > 0 && space.free() > 0 && space.free() <= space.total(), space.toString());
            var e = assertThrows(OsException.class, () -> nfs.rmdir("/d"));
            assertEquals(39, e.errno(), e.getMessage());
            for (String n : List.of("b.qcow2", "c.qcow2", "l")) nfs.unlink("/d/" + n);
            nfs.rmdir("/d");
            assertEquals(List.of(), nfs.list("/"));
        }
        assertThrows(OsException.class, () -> NfsSession.mount(server.address(), "/nowhere", 0, 0));
    }

    /** The daemon mounts the export for each storage step: what that costs. */
    @Test
    void aMountAndALookupTakeMilliseconds() throws Exception {
        int n = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (var nfs = NfsSession.mount(server.address(), NfsServer.EXPORT, 0, 0)) {
                assertEquals(NfsSession.Kind.DIRECTORY, nfs.lstat("/").kind());
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / n;
        System.out.printf("NFS mount, lstat and unmount: %.1f ms%n", ms);
        assertTrue(ms < 1000, ms + " ms");
    }
}
