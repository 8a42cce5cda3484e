package org.flotilla.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.flotilla.model.xenapi.enums.VbdType;
import org.junit.jupiter.api.Test;

/** Device names as XAPI's Device_number reads them, and the slots that make two names clash. */
class VmRecordDeviceNumbersTest {
    @Test
    void parsesXapiSpellings() {
        assertEquals(new DeviceNumbers.Dev(DeviceNumbers.Bus.IDE, 0, 0), DeviceNumbers.parse("0", true));
        assertEquals(new DeviceNumbers.Dev(DeviceNumbers.Bus.XEN, 0, 0), DeviceNumbers.parse("0", false));
        assertEquals(new DeviceNumbers.Dev(DeviceNumbers.Bus.XEN, 4, 0), DeviceNumbers.parse("4", true));
        assertEquals(new DeviceNumbers.Dev(DeviceNumbers.Bus.XEN, 26, 2), DeviceNumbers.parse("xvdaa2", false));
        assertEquals(new DeviceNumbers.Dev(DeviceNumbers.Bus.SCSI, 2, 0), DeviceNumbers.parse("sdc", false));
        assertEquals(new DeviceNumbers.Dev(DeviceNumbers.Bus.XEN, 3, 1), DeviceNumbers.parse("d3p1", false));
        assertNull(DeviceNumbers.parse("hdz", false)); // IDE stops at 19
        assertNull(DeviceNumbers.parse("xvd", false));
        assertEquals("xvdaa", DeviceNumbers.linuxName(new DeviceNumbers.Dev(DeviceNumbers.Bus.XEN, 26, 0)));
    }

    @Test
    void clashesAndValidity() {
        assertEquals(Set.of("disk0"), DeviceNumbers.slots("0"));
        assertEquals(Set.of("disk0"), DeviceNumbers.slots("xvda"));
        assertEquals(Set.of("disk0"), DeviceNumbers.slots("hda"));
        assertEquals(Set.of("fd1"), DeviceNumbers.slots("fdb"));
        for (String ok : List.of("autodetect", "0", "254", "xvdb", "hdc", "sda")) assertTrue(DeviceNumbers.valid(ok, VbdType.Disk), ok);
        for (String bad : List.of("", "-1", "disk", "xvd", "a0")) assertFalse(DeviceNumbers.valid(bad, VbdType.Disk), bad);
    }
}
