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
 * libnfs's synchronous calls (libnfs 4.0, Debian's libnfs13, which qemu-block-extra's NFS driver links against and so
 * is on every host that runs NFS disks), bound through the FFM API: the daemon's own userspace NFSv3 client, for the
 * directory work qemu-img cannot do. Loaded on first use, so a host without libnfs fails only when it touches NFS.
 * Layouts are those of libnfs.h 4.0 on 64-bit Linux.
 */
final class LibNfs {
    private LibNfs() {}

    static final String LIBRARY = "libnfs.so.13";
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = SymbolLookup.libraryLookup(LIBRARY, Arena.global());

    // libnfs-raw-nfs.h: ftype3
    static final int NF3REG = 1;
    static final int NF3DIR = 2;
    static final int NF3LNK = 5;
    // struct nfsdirent: next, name, inode, type, mode, size
    static final long DIRENT_NAME = 8;
    static final long DIRENT_TYPE = 24;
    static final long DIRENT_FILE_SIZE = 32;
    // struct nfs_stat_64: sixteen uint64_t and nfs_used
    static final long STAT64_SIZE = 17 * 8;
    static final long STAT64_MODE = 2 * 8;
    static final long STAT64_FILE_SIZE = 7 * 8;
    // struct statvfs (x86_64/aarch64 glibc): f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ... 112 bytes
    static final long STATVFS_SIZE = 112;
    static final long STATVFS_FRSIZE = 8;
    static final long STATVFS_BLOCKS = 16;
    static final long STATVFS_BAVAIL = 32;
    // struct exportnode: ex_dir, ex_groups, ex_next; struct groupnode: gr_name, gr_next
    static final long EXPORT_GROUPS = 8;
    static final long EXPORT_NEXT = 16;
    static final long GROUP_NEXT = 8;

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in " + LIBRARY)), d);
    }

    static final MethodHandle INIT_CONTEXT = fn("nfs_init_context", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle DESTROY_CONTEXT = fn("nfs_destroy_context", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle GET_ERROR = fn("nfs_get_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle SET_UID = fn("nfs_set_uid", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle SET_GID = fn("nfs_set_gid", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle SET_TIMEOUT = fn("nfs_set_timeout", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle MOUNT = fn("nfs_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle UMOUNT = fn("nfs_umount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle OPENDIR = fn("nfs_opendir", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle READDIR = fn("nfs_readdir", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle CLOSEDIR = fn("nfs_closedir", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    static final MethodHandle LSTAT64 = fn("nfs_lstat64", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle OPEN = fn("nfs_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle PREAD = fn("nfs_pread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    static final MethodHandle CLOSE = fn("nfs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle MKDIR = fn("nfs_mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RMDIR = fn("nfs_rmdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle UNLINK = fn("nfs_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RENAME = fn("nfs_rename", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle LINK = fn("nfs_link", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle CREAT = fn("nfs_creat", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle STATVFS = fn("nfs_statvfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle GETEXPORTS = fn("mount_getexports", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle FREE_EXPORTS = fn("mount_free_export_list", FunctionDescriptor.ofVoid(ADDRESS));
}
