package org.flotilla.runtime;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that boot real guests on a {@link VmHost} of their own, made fresh for each test and closed after it. */
abstract class OnAVmHost {
    @TempDir Path dir;
    VmHost h;

    @BeforeEach
    void up() throws Exception { h = new VmHost(dir); }

    @AfterEach
    void down() { h.close(); }
}
