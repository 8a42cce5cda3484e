package org.flotilla.daemon;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import org.flotilla.db.MemoryJournal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that drive a {@link Node} in this JVM through its XenAPI dispatch, logged in as root,
 * over a journal kept in memory: {@link #boot()} again after {@code node.close()} is a restart of the
 * daemon. Each test class boots and closes the node in its own {@code @BeforeEach}/{@code @AfterEach}, so
 * that it can order the rest of its clean-up around them.
 */
public abstract class InProcessNode {
    @TempDir protected Path dir;
    protected final MemoryJournal journal = new MemoryJournal();
    protected Node node;
    protected String session;

    protected void boot() {
        org.flotilla.TestDomainIds.seed(dir);
        node = new Node(dir, journal, (u, p) -> true, HostFacts.read("127.0.0.1"), r -> "<value>" + r + "</value>");
        session = (String) call("session.login_with_password", "root", "x");
    }

    protected Object call(String method, Object... params) { return node.rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    protected ApiError fails(String method, Object... params) { return assertThrows(ApiError.class, () -> call(method, params)); }

    @SuppressWarnings("unchecked")
    protected Map<String, Object> record(String cls, String ref) { return (Map<String, Object>) call(cls + ".get_record", session, ref); }
}
