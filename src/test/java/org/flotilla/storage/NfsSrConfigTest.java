package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.Test;

/** What an nfs SR's device_config must say, with XAPI's NFS SR's errors, and where it puts the SR. */
class NfsSrConfigTest {
    private static final String UUID = "0d6c2f5e-7a1b-4c39-9e0f-1a2b3c4d5e6f";
    private final NfsSr driver = new NfsSr();

    @Test
    void theSrLivesInADirectoryNamedByItsUuidInServerpath() {
        assertEquals(new NfsDir("10.0.0.5", "/export", "/" + UUID), driver.store(Map.of("server", "10.0.0.5", "serverpath", "/export/"), UUID));
        NfsDir d = driver.store(Map.of("server", "fd00::5", "serverpath", "/a/b", "nfsversion", "3"), UUID);
        assertEquals("/a/b/" + UUID + "/x.qcow2", d.serverPath("x.qcow2"));
        assertEquals("nfs://[fd00::5]/a/b/" + UUID + "/x.qcow2?uid=0&gid=0", d.target("x.qcow2"));
        assertEquals("nfs://s/my%20exports/" + UUID + "/x.qcow2?uid=0&gid=0",
                driver.store(Map.of("server", "s", "serverpath", "/my exports"), UUID).target("x.qcow2"));
        assertEquals("{\"driver\":\"nfs\",\"server\":{\"type\":\"inet\",\"host\":\"fd00::5\"},\"path\":\"/a/b/" + UUID + "/x.qcow2\",\"user\":0,\"group\":0}",
                d.fileNode("x.qcow2").toString());
    }

    @Test
    void aDeviceConfigThatSaysTooLittleIsRefusedAsXapisNfsSrRefusesIt() {
        assertEquals(List.of("SR_BACKEND_FAILURE_102", "", "The request is missing the server parameter", ""), refusal(Map.of("serverpath", "/e")));
        assertEquals(List.of("SR_BACKEND_FAILURE_101", "", "The request is missing the serverpath parameter", ""), refusal(Map.of("server", "s")));
        assertEquals(List.of("SR_BACKEND_FAILURE_72", "", "Required NFS server version unsupported [opterr=Invalid nfsversion.]", ""),
                refusal(Map.of("server", "s", "serverpath", "/e", "nfsversion", "2")));
        assertEquals("SR_BACKEND_FAILURE_72", refusal(Map.of("server", "s", "serverpath", "/e", "nfsversion", "4.1")).getFirst());
        assertEquals("SR_BACKEND_FAILURE_73", refusal(Map.of("server", "s", "serverpath", "relative")).getFirst());
        assertEquals("SR_BACKEND_FAILURE_73", refusal(Map.of("server", "s", "serverpath", "/e/../../etc")).getFirst());
    }

    private List<String> refusal(Map<String, String> deviceConfig) {
        return assertThrows(ApiError.class, () -> driver.store(deviceConfig, UUID)).description();
    }
}
