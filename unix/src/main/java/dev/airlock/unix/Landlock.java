package dev.airlock.unix;

import jnr.ffi.Pointer;

/**
 * Landlock's system calls and the access rights they take (linux/landlock.h), beside each other:
 * the ABI the kernel reports, creating a ruleset, adding a path-beneath rule, and enforcing the
 * ruleset on the calling thread. Which rights a given ABI handles is the kernel's knowledge, so
 * it is here too ({@link #handledFilesystemRights}); which paths get which rights is the caller's.
 */
public final class Landlock {
    // Filesystem access rights (LANDLOCK_ACCESS_FS_*).
    public static final long EXECUTE = 1L;
    public static final long WRITE_FILE = 1L << 1;
    public static final long READ_FILE = 1L << 2;
    public static final long READ_DIR = 1L << 3;
    public static final long REMOVE_DIR = 1L << 4;
    public static final long REMOVE_FILE = 1L << 5;
    public static final long MAKE_CHAR = 1L << 6;
    public static final long MAKE_DIR = 1L << 7;
    public static final long MAKE_REG = 1L << 8;
    public static final long MAKE_SOCK = 1L << 9;
    public static final long MAKE_FIFO = 1L << 10;
    public static final long MAKE_BLOCK = 1L << 11;
    public static final long MAKE_SYM = 1L << 12;
    /** ABI 2: linking or renaming into another directory. */
    public static final long REFER = 1L << 13;
    /** ABI 3. */
    public static final long TRUNCATE = 1L << 14;
    /** ABI 5: ioctl on character and block devices. */
    public static final long IOCTL_DEV = 1L << 15;

    /** Every right ABI 1 knows: {@link #EXECUTE} to {@link #MAKE_SYM}. */
    private static final long FS_ABI1 = (1L << 13) - 1;

    /** What a rule on anything but a directory may carry; the kernel refuses directory rights there. */
    public static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;

    // Network access rights (LANDLOCK_ACCESS_NET_*), ABI 4.
    public static final long NET_BIND_TCP = 1L;
    public static final long NET_CONNECT_TCP = 2L;
    /** The first ABI with network rights. */
    public static final int NET_ABI = 4;

    // Scopes (LANDLOCK_SCOPE_*), ABI 6.
    public static final long SCOPE_ABSTRACT_UNIX_SOCKET = 1L;
    public static final long SCOPE_SIGNAL = 2L;
    /** The first ABI with scopes. */
    public static final int SCOPE_ABI = 6;

    private static final long SYS_LANDLOCK_CREATE_RULESET = 444;
    private static final long SYS_LANDLOCK_ADD_RULE = 445;
    private static final long SYS_LANDLOCK_RESTRICT_SELF = 446;
    private static final int LANDLOCK_CREATE_RULESET_VERSION = 1;
    private static final int LANDLOCK_RULE_PATH_BENEATH = 1;

    private Landlock() {}

    /** The Landlock ABI version, or 0 when Landlock is unavailable or disabled. */
    public static int abi() {
        long abi = Linux.c().syscall(SYS_LANDLOCK_CREATE_RULESET, 0, 0, LANDLOCK_CREATE_RULESET_VERSION, 0, 0, 0);
        return abi < 0 ? 0 : (int) abi;
    }

    /** Every filesystem right ABI {@code abi} knows: a ruleset handling them all denies each unless a rule allows it. */
    public static long handledFilesystemRights(int abi) {
        long handled = FS_ABI1;
        if (abi >= 2) {
            handled |= REFER;
        }
        if (abi >= 3) {
            handled |= TRUNCATE;
        }
        if (abi >= 5) {
            handled |= IOCTL_DEV;
        }
        return handled;
    }

    /**
     * landlock_create_ruleset(2) with the given handled accesses and scopes; the attribute is
     * passed as long as the last non-zero field needs, so that an older kernel accepts it.
     */
    public static Fd createRuleset(long handledFilesystem, long handledNetwork, long scoped) throws ErrnoException {
        Pointer attr = Linux.allocate(24);
        attr.putLong(0, handledFilesystem);
        attr.putLong(8, handledNetwork);
        attr.putLong(16, scoped);
        int size = scoped != 0 ? 24 : handledNetwork != 0 ? 16 : 8;
        long fd = Linux.check(
                Linux.c().syscall(SYS_LANDLOCK_CREATE_RULESET, attr.address(), size, 0, 0, 0, 0),
                "landlock_create_ruleset");
        return Fd.adopt((int) fd);
    }

    /**
     * landlock_add_rule(2), a path-beneath rule: {@code allowed} beneath the file or directory
     * {@code parent} is open on; {@code what} names it in the error.
     */
    public static void allowBeneath(Fd ruleset, Fd parent, long allowed, String what) throws ErrnoException {
        Pointer attr = Linux.allocate(12);
        attr.putLong(0, allowed);
        attr.putInt(8, parent.get());
        Linux.check(
                Linux.c()
                        .syscall(
                                SYS_LANDLOCK_ADD_RULE,
                                ruleset.get(),
                                LANDLOCK_RULE_PATH_BENEATH,
                                attr.address(),
                                0,
                                0,
                                0),
                "landlock_add_rule(" + what + ")");
    }

    /** landlock_restrict_self(2): enforces {@code ruleset} on the calling thread (requires no_new_privs). */
    public static void restrictSelf(Fd ruleset) throws ErrnoException {
        Linux.check(
                Linux.c().syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset.get(), 0, 0, 0, 0, 0), "landlock_restrict_self");
    }
}
