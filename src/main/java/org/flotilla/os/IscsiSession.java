package org.flotilla.os;

import static org.flotilla.os.NativeMemory.pointer;
import static org.flotilla.os.NativeMemory.string;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One iSCSI session, logged in by libiscsi ({@link LibIscsi}) in userspace: no kernel initiator, no block device. A
 * session is short-lived (one per storage operation), as NfsSession's are, and every call holds its lock (a libiscsi
 * context is not thread-safe). Portals are {@code address:port}, an IPv6 address in brackets.
 */
public final class IscsiSession implements AutoCloseable {
    /** How long one call waits for the target, in seconds (libiscsi waits forever by default). */
    private static final int TIMEOUT_S = 15;
    private static final int INQUIRY_LENGTH = 255;
    private static final int REPORT_LUNS_LENGTH = 16 + 8 * 256;
    private static final int PERIPHERAL_DISK = 0;
    private static final int CHECK_CONDITION = 2;
    private static final int ATTEMPTS = 3;

    private final MemorySegment context;
    private final String what;
    private boolean closed;

    private IscsiSession(MemorySegment context, String what) {
        this.context = context;
        this.what = what;
    }

    /** CHAP credentials the initiator presents, or none. */
    public record Chap(String user, String password) {
        public static final Chap NONE = new Chap("", "");

        boolean present() { return !user.isEmpty(); }
    }

    /** A target a portal's SendTargets lists: its IQN and the portals (address:port,tpgt) it is reached at. */
    public record Target(String iqn, List<String> portals) {}

    /**
     * A disk LUN as SCSI INQUIRY and READ CAPACITY describe it: vendor (standard data), serial (page 0x80), the SCSI id
     * udev's scsi_id gives from page 0x83 (the designator type's digit, then the identifier), size in bytes and block size.
     */
    public record Lun(int id, String vendor, String serial, String scsiId, long size, int blockSize) {}

    /** The errno of a refused login (no such target, wrong credentials), as opposed to a portal that cannot be reached. */
    public static final int LOGIN_REFUSED = 13;

    /** The targets {@code portal} lists to a discovery session (iSCSI SendTargets). */
    public static List<Target> discover(String portal, String initiator, Chap chap) throws OsException {
        try (IscsiSession s = open(portal, initiator, chap, null)) {
            return s.sendTargets();
        }
    }

    /** A normal session with target {@code iqn} at {@code portal}. */
    public static IscsiSession login(String portal, String iqn, String initiator, Chap chap) throws OsException {
        return open(portal, initiator, chap, iqn);
    }

    private static IscsiSession open(String portal, String initiator, Chap chap, String iqn) throws OsException {
        MemorySegment ctx;
        try (Arena a = Arena.ofConfined()) {
            ctx = (MemorySegment) LibIscsi.CREATE_CONTEXT.invokeExact(a.allocateFrom(initiator));
        } catch (LinkageError e) {
            throw new OsException(LibIscsi.LIBRARY + " cannot be loaded (it comes with qemu-block-extra): " + e, 0);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (ctx.equals(MemorySegment.NULL)) throw new OsException("cannot make an iSCSI context", 0);
        var s = new IscsiSession(ctx, "iscsi://" + portal + (iqn == null ? "" : "/" + iqn));
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) LibIscsi.SET_TIMEOUT.invokeExact(ctx, TIMEOUT_S);
            LibIscsi.SET_NOAUTORECONNECT.invokeExact(ctx, 1);
            int type = iqn == null ? LibIscsi.SESSION_DISCOVERY : LibIscsi.SESSION_NORMAL;
            s.check("session type", (int) LibIscsi.SET_SESSION_TYPE.invokeExact(ctx, type));
            if (iqn != null) s.check("target name", (int) LibIscsi.SET_TARGETNAME.invokeExact(ctx, a.allocateFrom(iqn)));
            if (chap.present()) {
                s.check("CHAP", (int) LibIscsi.SET_USERNAME_PWD.invokeExact(ctx, a.allocateFrom(chap.user()), a.allocateFrom(chap.password())));
            }
            s.check("connect", (int) LibIscsi.CONNECT.invokeExact(ctx, a.allocateFrom(portal)));
            int rc = (int) LibIscsi.LOGIN.invokeExact(ctx);
            if (rc < 0) throw new OsException(s.what + ": login: " + s.error(), LOGIN_REFUSED);
            return s;
        } catch (OsException e) {
            s.close();
            throw e;
        } catch (Throwable t) {
            s.close();
            throw Libc.unexpected(t);
        }
    }

    private synchronized List<Target> sendTargets() throws OsException {
        try {
            MemorySegment list = (MemorySegment) LibIscsi.DISCOVERY.invokeExact(context());
            if (list.equals(MemorySegment.NULL)) throw new OsException(what + ": SendTargets: " + error(), 0);
            try {
                var out = new ArrayList<Target>();
                for (MemorySegment d = list; !d.equals(MemorySegment.NULL); d = pointer(d, 0)) {
                    var portals = new ArrayList<String>();
                    for (MemorySegment p = pointer(d, LibIscsi.DISCOVERY_PORTALS); !p.equals(MemorySegment.NULL); p = pointer(p, LibIscsi.PORTAL_NEXT)) {
                        portals.add(string(pointer(p, LibIscsi.PORTAL_ADDRESS)));
                    }
                    out.add(new Target(string(pointer(d, LibIscsi.DISCOVERY_TARGET_NAME)), List.copyOf(portals)));
                }
                return out;
            } finally {
                LibIscsi.FREE_DISCOVERY.invokeExact(context, list);
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The disk LUNs of the target, described (controllers and other device types left out). */
    public synchronized List<Lun> luns() throws OsException {
        ByteBuffer report = command(0, () -> (MemorySegment) LibIscsi.CDB_REPORTLUNS.invokeExact(0, REPORT_LUNS_LENGTH), REPORT_LUNS_LENGTH);
        int length = report.getInt(0);
        var out = new ArrayList<Lun>();
        for (int at = 8; at + 8 <= Math.min(8 + length, REPORT_LUNS_LENGTH); at += 8) {
            int id = report.getShort(at) & 0x3fff;
            ByteBuffer standard = inquiry(id, false, 0);
            if ((standard.get(0) & 0x1f) != PERIPHERAL_DISK || (standard.get(0) & 0xe0) != 0) continue;
            out.add(describe(id, standard));
        }
        return out;
    }

    /** One LUN described; an error if it is not a disk. */
    public synchronized Lun lun(int id) throws OsException {
        ByteBuffer standard = inquiry(id, false, 0);
        if ((standard.get(0) & 0x1f) != PERIPHERAL_DISK) throw new OsException(what + ": LUN " + id + " is not a disk", 0);
        return describe(id, standard);
    }

    private Lun describe(int id, ByteBuffer standard) throws OsException {
        String vendor = ascii(standard, 8, 8);
        String serial = serial(inquiry(id, true, 0x80));
        String scsiId = scsiId(inquiry(id, true, 0x83), vendor, ascii(standard, 16, 16), serial);
        ByteBuffer cap = command(id, () -> (MemorySegment) LibIscsi.CDB_READCAPACITY16.invokeExact(), 32);
        long blocks = cap.getLong(0) + 1;
        int blockSize = cap.getInt(8);
        return new Lun(id, vendor, serial, scsiId, blocks * blockSize, blockSize);
    }

    private ByteBuffer inquiry(int lun, boolean vpd, int page) throws OsException {
        return command(lun, () -> (MemorySegment) LibIscsi.CDB_INQUIRY.invokeExact(vpd ? 1 : 0, page, INQUIRY_LENGTH), INQUIRY_LENGTH);
    }

    private static String serial(ByteBuffer page) {
        int length = page.getShort(2) & 0xffff;
        return ascii(page, 4, Math.min(length, INQUIRY_LENGTH - 4));
    }

    /**
     * As udev's scsi_id -g picks an identifier from page 0x83: an NAA designator first ('3' then its hex), then EUI-64
     * ('2'), then a T10 vendor id ('1', spaces as underscores); without any, vendor, model and serial ('S' then them).
     */
    static String scsiId(ByteBuffer page, String vendor, String model, String serial) {
        int end = Math.min(4 + (page.getShort(2) & 0xffff), INQUIRY_LENGTH);
        String naa = null, eui = null, t10 = null;
        for (int at = 4; at + 4 <= end; ) {
            int codeSet = page.get(at) & 0x0f;
            int association = (page.get(at + 1) >> 4) & 0x03;
            int type = page.get(at + 1) & 0x0f;
            int length = page.get(at + 3) & 0xff;
            if (at + 4 + length > end) break;
            if (association == 0) {
                byte[] id = new byte[length];
                page.get(at + 4, id);
                if (type == 3 && naa == null) naa = "3" + HexFormat.of().formatHex(id);
                if (type == 2 && eui == null) eui = "2" + HexFormat.of().formatHex(id);
                if (type == 1 && t10 == null && codeSet == 2) t10 = "1" + new String(id, StandardCharsets.US_ASCII).strip().replaceAll("\\s+", "_");
            }
            at += 4 + length;
        }
        if (naa != null) return naa;
        if (eui != null) return eui;
        if (t10 != null) return t10;
        return ("S" + vendor + "_" + model + "_" + serial).replaceAll("\\s+", "_");
    }

    /** Reads {@code length} bytes at {@code offset} (both multiples of the block size) from the LUN. */
    public synchronized byte[] read(int lun, long offset, int length, int blockSize) throws OsException {
        for (int attempt = 1; ; attempt++) {
            try {
                return readOnce(lun, offset, length, blockSize);
            } catch (CheckCondition c) {
                if (attempt == ATTEMPTS) throw new OsException(c.getMessage(), 0);
            }
        }
    }

    private byte[] readOnce(int lun, long offset, int length, int blockSize) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(length);
            MemorySegment iov = iovec(a, buf);
            MemorySegment task = (MemorySegment) LibIscsi.READ16_IOV.invokeExact(context(), lun, offset / blockSize, length, blockSize,
                    0, 0, 0, 0, 0, iov, 1);
            finish(task, "read");
            return buf.toArray(ValueLayout.JAVA_BYTE);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Writes {@code data} (a multiple of the block size long) at {@code offset}, through to the medium (FUA). */
    public synchronized void write(int lun, long offset, byte[] data, int blockSize) throws OsException {
        for (int attempt = 1; ; attempt++) {
            try {
                writeOnce(lun, offset, data, blockSize);
                return;
            } catch (CheckCondition c) {
                if (attempt == ATTEMPTS) throw new OsException(c.getMessage(), 0);
            }
        }
    }

    private void writeOnce(int lun, long offset, byte[] data, int blockSize) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_BYTE, data);
            MemorySegment task = (MemorySegment) LibIscsi.WRITE16.invokeExact(context(), lun, offset / blockSize, buf, data.length, blockSize,
                    0, 0, 1, 0, 0);
            finish(task, "write");
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    @FunctionalInterface
    private interface CdbMaker { MemorySegment make() throws Throwable; }

    private static MemorySegment cdb(CdbMaker maker) throws OsException {
        try {
            MemorySegment task = maker.make();
            if (task.equals(MemorySegment.NULL)) throw new OsException("cannot make a SCSI command", 0);
            return task;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * Runs a command whose data in (at most {@code length} bytes) lands in a zeroed buffer of ours, big-endian. A CHECK
     * CONDITION is tried again: the first command to each LUN of a new session meets the target's UNIT ATTENTION.
     */
    private ByteBuffer command(int lun, CdbMaker maker, int length) throws OsException {
        for (int attempt = 1; ; attempt++) {
            try {
                return commandOnce(lun, cdb(maker), length);
            } catch (CheckCondition c) {
                if (attempt == ATTEMPTS) throw new OsException(c.getMessage(), 0);
            }
        }
    }

    private ByteBuffer commandOnce(int lun, MemorySegment task, int length) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(length);
            try {
                LibIscsi.TASK_SET_IOV_IN.invokeExact(task, iovec(a, buf), 1);
                MemorySegment done = (MemorySegment) LibIscsi.SCSI_COMMAND.invokeExact(context(), lun, task, MemorySegment.NULL);
                if (done.equals(MemorySegment.NULL)) throw new OsException(what + ": SCSI command: " + error(), 0);
                int status = (int) LibIscsi.TASK_GET_STATUS.invokeExact(done, MemorySegment.NULL);
                if (status != 0) throw failed("LUN " + lun, status);
            } finally {
                // the task is ours whether the command ran or not: iscsi_scsi_command_sync hands back the same one
                LibIscsi.FREE_TASK.invokeExact(task);
            }
            return ByteBuffer.wrap(buf.toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.BIG_ENDIAN);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private void finish(MemorySegment task, String op) throws Throwable {
        if (task.equals(MemorySegment.NULL)) throw new OsException(what + ": " + op + ": " + error(), 0);
        try {
            int status = (int) LibIscsi.TASK_GET_STATUS.invokeExact(task, MemorySegment.NULL);
            if (status != 0) throw failed(op, status);
        } finally {
            LibIscsi.FREE_TASK.invokeExact(task);
        }
    }

    private Exception failed(String op, int status) {
        String message = what + ": " + op + ": SCSI status " + status + ": " + error();
        return status == CHECK_CONDITION ? new CheckCondition(message) : new OsException(message, 0);
    }

    /** A command the target answered with CHECK CONDITION (its sense says why: often a UNIT ATTENTION worth a retry). */
    private static final class CheckCondition extends RuntimeException {
        CheckCondition(String message) { super(message, null, false, false); }
    }

    private static MemorySegment iovec(Arena a, MemorySegment buf) {
        MemorySegment iov = a.allocate(LibIscsi.IOVEC_SIZE, 8);
        iov.set(ValueLayout.ADDRESS, 0, buf);
        iov.set(ValueLayout.JAVA_LONG, 8, buf.byteSize());
        return iov;
    }

    private MemorySegment context() throws OsException {
        if (closed) throw new OsException(what + ": session closed", 0);
        return context;
    }

    private void check(String op, int rc) throws OsException {
        if (rc < 0) throw new OsException(what + ": " + op + ": " + error(), 0);
    }

    private String error() {
        try {
            return string((MemorySegment) LibIscsi.GET_ERROR.invokeExact(context));
        } catch (Throwable t) {
            return "unknown error";
        }
    }

    private static String ascii(ByteBuffer b, int at, int length) {
        byte[] s = new byte[length];
        b.get(at, s);
        return new String(s, StandardCharsets.US_ASCII).replace("\0", "").strip();
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            int ignored = (int) LibIscsi.LOGOUT.invokeExact(context);
            ignored = (int) LibIscsi.DESTROY_CONTEXT.invokeExact(context);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
