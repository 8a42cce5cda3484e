package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.PBD;
import org.junit.jupiter.api.Test;

/**
 * Where an SR may be: never in the kernel's views of the host (/proc, /sys, /dev, any /proc/PID/root), however
 * the path gets there; SR.create makes only the SR's own directory, and SR.destroy removes only what SR.create made.
 */
class SrLocationTest extends OnALocalSr {

    private Object createSr(String location, String type) {
        return call("SR.create", session, node.hostRef(), Map.of("location", location), 0L, "sr", "", type, type.equals("iso") ? "iso" : "",
                false, Map.of());
    }

    private static void assertRefusedLocation(ApiError e, String location) {
        assertEquals("SR_BACKEND_FAILURE", e.code(), e.description().toString());
        assertTrue(e.params().get(2).contains(location), e.params().toString());
    }

    @Test
    void theKernelsViewsOfTheHostAreNoPlaceForAnSr() throws Exception {
        Path viaLink = dir.resolve("root-of-pid-1");
        Files.createSymbolicLink(viaLink, Path.of("/proc/1/root"));
        Path linkToLink = dir.resolve("hop");
        Files.createSymbolicLink(linkToLink, viaLink.getFileName());
        List<String> refused = List.of("/proc", "/proc/self/root/etc", "/proc/1/root", "/proc/self/cwd", "/sys/kernel", "/dev",
                "/dev/shm/flotilla-sr-test", "/tmp/../proc/self/root", viaLink + "/etc", linkToLink + "/root", "relative/sr", "");
        int srs = ((List<?>) call("SR.get_all", session)).size();
        for (String type : List.of("file", "iso")) {
            for (String location : refused) {
                ApiError e = fails("SR.create", session, node.hostRef(), Map.of("location", location), 0L, "sr", "", type, "", false, Map.of());
                assertRefusedLocation(e, location.isEmpty() ? "location" : location);
            }
        }
        assertEquals(srs, ((List<?>) call("SR.get_all", session)).size());
        assertFalse(Files.exists(Path.of("/dev/shm/flotilla-sr-test")));
    }

    @Test
    void srCreateMakesOnlyItsOwnDirectoryAndSrDestroyRemovesOnlyThat() throws Exception {
        Path nested = dir.resolve("new").resolve("nested").resolve("sr");
        ApiError e = fails("SR.create", session, node.hostRef(), Map.of("location", nested.toString()), 0L, "sr", "", "file", "", false, Map.of());
        assertEquals(List.of("SR_BACKEND_FAILURE", "61"), e.description().subList(0, 2));
        assertFalse(Files.exists(dir.resolve("new")), "no directory above the SR's is made");

        Path made = Files.createDirectories(dir.resolve("parent")).resolve("sr");
        String sr = (String) createSr(made.toString(), "file");
        assertEquals(made.toString(), ((Map<?, ?>) call("SR.get_sm_config", session, sr)).get(SmOwnedKeys.MADE_DIRECTORY));
        createVdi(sr, MIB, "disk");
        destroy(sr);
        assertFalse(Files.exists(made));
        assertTrue(Files.isDirectory(dir.resolve("parent")));

        // a directory that was there before is the administrator's: the SR's images go, the directory and its other files stay
        Path existing = Files.createDirectories(dir.resolve("existing"));
        Files.writeString(existing.resolve("notes.txt"), "not the SR's");
        String taken = (String) call("SR.create", session, node.hostRef(), Map.of("location", existing.toString()), 0L, "sr", "", "file", "",
                false, Map.of(SmOwnedKeys.MADE_DIRECTORY, existing.toString()));
        assertNull(((Map<?, ?>) call("SR.get_sm_config", session, taken)).get(SmOwnedKeys.MADE_DIRECTORY), "a client cannot claim it");
        call("SR.add_to_sm_config", session, taken, SmOwnedKeys.MADE_DIRECTORY, existing.toString());
        call("SR.set_sm_config", session, taken, Map.of(SmOwnedKeys.MADE_DIRECTORY, existing.toString(), "mine", "x"));
        assertEquals(Map.of("mine", "x"), call("SR.get_sm_config", session, taken));
        createVdi(taken, MIB, "disk");
        Path empty = Files.createDirectories(dir.resolve("empty-before"));
        String emptySr = (String) createSr(empty.toString(), "file");
        destroy(taken);
        destroy(emptySr);
        assertEquals(List.of("notes.txt"), files(existing));
        assertTrue(Files.isDirectory(empty));

        // nor may a client keep the SR's own key from it
        Path another = dir.resolve("parent").resolve("another");
        String own = (String) createSr(another.toString(), "file");
        call("SR.remove_from_sm_config", session, own, SmOwnedKeys.MADE_DIRECTORY);
        call("SR.set_sm_config", session, own, Map.of());
        destroy(own);
        assertFalse(Files.exists(another));
    }

    private void destroy(String sr) {
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        for (Object v : (List<?>) call("SR.get_VDIs", session, sr)) call("VDI.destroy", session, v);
        call("PBD.unplug", session, pbd);
        call("SR.destroy", session, sr);
    }

    @Test
    void aPbdsLocationIsCheckedWhenGivenAndWhenPlugged() throws Exception {
        Path place = dir.resolve("second");
        String sr = (String) createSr(place.toString(), "file");
        String vdi = createVdi(sr, MIB, "kept");
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        for (String bad : List.of("/proc/self/root" + place, "/sys", "/dev/shm")) {
            assertRefusedLocation(fails("PBD.set_device_config", session, pbd, Map.of("location", bad)), bad);
            assertRefusedLocation(fails("PBD.create", session, Map.of("SR", sr, "host", node.hostRef(), "device_config", Map.of("location", bad))), bad);
        }
        assertEquals(Map.of("location", place.toString()), call("PBD.get_device_config", session, pbd));

        // a new location takes effect at the next plug: a scan meanwhile still reads the SR where it was attached
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        call("PBD.set_device_config", session, pbd, Map.of("location", elsewhere.toString()));
        call("SR.scan", session, sr);
        assertEquals(List.of(vdi), call("SR.get_VDIs", session, sr));
        call("PBD.unplug", session, pbd);
        call("PBD.set_device_config", session, pbd, Map.of("location", place.toString()));

        // a location an older database holds is checked again at plug
        node.db().write(tx -> tx.set(PBD.CLASS.ref(pbd), PBD.device_config, Map.of("location", "/proc/self/root" + place)));
        assertRefusedLocation(fails("PBD.plug", session, pbd), "/proc/self/root" + place);
        assertEquals(false, call("PBD.get_currently_attached", session, pbd));
        assertEquals("SR_HAS_NO_PBDS", fails("VDI.resize", session, vdi, 2 * MIB).code());
    }

    @Test
    void aFileSrIsOnlyWhereNoOneElseCanSwapItsImages() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        ApiError e = fails("SR.create", session, node.hostRef(), Map.of("location", shared.toString()), 0L, "sr", "", "file", "", false, Map.of());
        assertEquals(List.of("SR_BACKEND_FAILURE", "47"), e.description().subList(0, 2));
        assertTrue(e.params().get(2).contains("writable by no one else"), e.params().toString());
        // an ISO library may be shared: the daemon only reads it, and never through a link
        Files.write(shared.resolve("cd.iso"), new byte[2048]);
        String iso = (String) createSr(shared.toString(), "iso");
        assertEquals(1, ((List<?>) call("SR.get_VDIs", session, iso)).size());
    }
}
