package org.flotilla.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A descriptor of a tap device, opened by the daemon (which may open /dev/net/tun) for a QEMU that may not:
 * {@code -netdev tap,fd=N}. With a virtio-net header, as QEMU would open it itself.
 */
public final class Tap {
    private Tap() {}

    public static Fd open(String name) throws OsException {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= 16) throw new OsException("bad tap name " + name, 0);
        Fd tun = Open.device("/dev/net/tun");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment ifr = a.allocate(40, 8);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (Libc.IFF_TAP | Libc.IFF_NO_PI | Libc.IFF_VNET_HDR));
            int r = (int) Libc.IOCTL_PTR.invokeExact(err, tun.value(), Libc.TUNSETIFF, ifr);
            if (r < 0) throw Libc.failure("attach to tap " + name, Libc.errno(err));
            return tun.renamed("tap " + name);
        } catch (OsException e) {
            tun.close();
            throw e;
        } catch (Throwable t) {
            tun.close();
            throw Libc.unexpected(t);
        }
    }
}
