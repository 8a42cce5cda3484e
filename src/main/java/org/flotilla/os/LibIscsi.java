package org.flotilla.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libiscsi's synchronous calls (libiscsi 1.19, Debian's libiscsi7, which qemu-block-extra's iSCSI driver links against
 * and so is on every host that runs iSCSI disks), bound through the FFM API: the daemon's own userspace initiator, for
 * discovery, LUN listing and an SR's metadata. Only calls whose arguments are plain values or buffers of ours are bound
 * (data in goes to our own iovec, never to libiscsi's task structure), so no layout of scsi_task is relied on. Loaded
 * on first use, so a host without libiscsi fails only when it touches iSCSI.
 */
final class LibIscsi {
    private LibIscsi() {}

    static final String LIBRARY = "libiscsi.so.7";
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = SymbolLookup.libraryLookup(LIBRARY, Arena.global());

    // enum iscsi_session_type
    static final int SESSION_DISCOVERY = 1;
    static final int SESSION_NORMAL = 2;
    // struct iscsi_discovery_address: next, target_name, portals; struct iscsi_target_portal: next, portal
    static final long DISCOVERY_TARGET_NAME = 8;
    static final long DISCOVERY_PORTALS = 16;
    static final long PORTAL_NEXT = 0;
    static final long PORTAL_ADDRESS = 8;
    // struct scsi_iovec: iov_base, iov_len
    static final long IOVEC_SIZE = 16;

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in " + LIBRARY)), d);
    }

    static final MethodHandle CREATE_CONTEXT = fn("iscsi_create_context", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle DESTROY_CONTEXT = fn("iscsi_destroy_context", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle GET_ERROR = fn("iscsi_get_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle SET_TARGETNAME = fn("iscsi_set_targetname", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle SET_SESSION_TYPE = fn("iscsi_set_session_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle SET_USERNAME_PWD = fn("iscsi_set_initiator_username_pwd", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle SET_TIMEOUT = fn("iscsi_set_timeout", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle SET_NOAUTORECONNECT = fn("iscsi_set_noautoreconnect", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle CONNECT = fn("iscsi_connect_sync", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle LOGIN = fn("iscsi_login_sync", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle LOGOUT = fn("iscsi_logout_sync", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle DISCOVERY = fn("iscsi_discovery_sync", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle FREE_DISCOVERY = fn("iscsi_free_discovery_data", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    static final MethodHandle SCSI_COMMAND = fn("iscsi_scsi_command_sync", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle CDB_INQUIRY = fn("scsi_cdb_inquiry", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle CDB_REPORTLUNS = fn("scsi_reportluns_cdb", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle CDB_READCAPACITY16 = fn("scsi_cdb_readcapacity16", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle TASK_SET_IOV_IN = fn("scsi_task_set_iov_in", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle TASK_GET_STATUS = fn("scsi_task_get_status", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle FREE_TASK = fn("scsi_free_scsi_task", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle READ16_IOV = fn("iscsi_read16_iov_sync", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle WRITE16 = fn("iscsi_write16_sync", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SYNCHRONIZE_CACHE16 = fn("iscsi_synchronizecache16_sync", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG,
            JAVA_INT, JAVA_INT, JAVA_INT));
}
