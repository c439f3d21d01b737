package dev.airlock.broker;

/**
 * The kernel's numbers {@link SeccompFilter} compares, from the Linux UAPI headers (x86_64):
 * seccomp's return actions and {@code struct seccomp_data} layout, and the argument values its
 * rules check (socket families and types, ioctl requests, prctl options, clone flags). Kept apart
 * so the filter itself reads as its tables and rules.
 */
final class SeccompAbi {
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_ALLOW = 0x7fff0000;

    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;

    // struct seccomp_data: nr, arch, instruction_pointer, then args[6] as 64-bit little-endian words.
    static final int NR = 0;
    static final int ARCH = 4;

    static int argLow(int index) {
        return 16 + 8 * index;
    }

    static int argHigh(int index) {
        return 20 + 8 * index;
    }

    /** Not in ipc's Errno: only unlisted ioctl requests answer with it. */
    static final int ENOTTY = 25;

    // socket(2), socketpair(2), send*(2)
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_TYPE_MASK = 0xf; // the type without SOCK_NONBLOCK / SOCK_CLOEXEC
    static final int SOCK_STREAM = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int IPPROTO_TCP = 6;
    static final int MSG_FASTOPEN = 0x20000000;

    /** The broker channel's descriptor in every helper process (HelperCommandLine.CHANNEL_FD). */
    static final int CHANNEL_FD = HelperCommandLine.CHANNEL_FD;

    // ioctl(2) requests, as the kernel compares them: the low 32 bits of the argument.
    static final int TCGETS = 0x5401;
    static final int TCSETS = 0x5402;
    static final int TCSETSW = 0x5403;
    static final int TCSETSF = 0x5404;
    static final int TIOCGPGRP = 0x540F;
    static final int TIOCSTI = 0x5412;
    static final int TIOCGWINSZ = 0x5413;
    static final int FIONREAD = 0x541B;
    static final int TIOCLINUX = 0x541C;
    static final int FIONBIO = 0x5421;
    static final int TCGETS2 = 0x802C542A;
    static final int TCSETS2 = 0x402C542B;
    static final int TCSETSW2 = 0x402C542C;
    static final int TCSETSF2 = 0x402C542D;
    static final int FIONCLEX = 0x5450;
    static final int FIOCLEX = 0x5451;
    static final int BLKGETSIZE64 = 0x80081272;

    // prctl(2) options
    static final int PR_SET_PDEATHSIG = 1;
    static final int PR_GET_PDEATHSIG = 2;
    static final int PR_GET_DUMPABLE = 3;
    static final int PR_SET_NAME = 15;
    static final int PR_GET_NAME = 16;
    static final int PR_GET_SECCOMP = 21;
    static final int PR_CAPBSET_READ = 23;
    static final int PR_SET_CHILD_SUBREAPER = 36;
    static final int PR_GET_CHILD_SUBREAPER = 37;
    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final int PR_GET_NO_NEW_PRIVS = 39;
    static final int PR_SET_THP_DISABLE = 41;
    static final int PR_GET_THP_DISABLE = 42;
    static final int PR_SET_VMA = 0x53564d41;
    static final int SIGKILL = 9;

    // clone(2) flags: the new namespaces, and CLONE_PARENT (a child of the helper's parent, the broker).
    static final int CLONE_FILES = 0x00000400;
    static final int CLONE_PARENT = 0x00008000;
    static final int CLONE_THREAD = 0x00010000;
    static final int CLONE_NEWNS = 0x00020000;
    static final int CLONE_NEWCGROUP = 0x02000000;
    static final int CLONE_NEWUTS = 0x04000000;
    static final int CLONE_NEWIPC = 0x08000000;
    static final int CLONE_NEWUSER = 0x10000000;
    static final int CLONE_NEWPID = 0x20000000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int PRIO_PROCESS = 0;
    static final int IOPRIO_WHO_PROCESS = 1;

    private SeccompAbi() {}
}
