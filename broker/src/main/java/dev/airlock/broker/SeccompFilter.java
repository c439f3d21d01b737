package dev.airlock.broker;

/**
 * The helper's seccomp filter, as classic BPF. Landlock and the uid drop confine files and
 * identity; this filter closes what they leave open to native code in the helper: the calls that
 * inspect or change other processes or the kernel (ptrace, process_vm_*, bpf, perf, kexec,
 * modules, mounts, keyrings), new namespaces (a user namespace would hand the helper
 * capabilities inside it), io_uring (whose operations bypass the system-call boundary this filter
 * sees), and sockets that reach past Landlock's TCP rules: AF_UNIX sockets (a pathname socket of
 * another service, such as a session bus or ssh-agent, is not a file open Landlock sees) and
 * non-TCP IP sockets (UDP, raw). Everything else is allowed; denied calls fail with EPERM, a
 * foreign architecture or the x32 ABI kills the process.
 */
final class SeccompFilter {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int X32_SYSCALL_BIT = 0x40000000;

    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int ENOSYS = 38;

    // BPF opcodes
    private static final int LD_W_ABS = 0x20;
    private static final int JEQ_K = 0x15;
    private static final int JGE_K = 0x35;
    private static final int JSET_K = 0x45;
    private static final int RET_K = 0x06;
    private static final int AND_K = 0x54;

    // struct seccomp_data offsets
    private static final int NR = 0;
    private static final int ARCH = 4;
    private static final int ARG0_LOW = 16;
    private static final int ARG1_LOW = 24;

    private static final int SYS_SOCKET = 41;
    private static final int SYS_CLONE = 56;
    private static final int SYS_CLONE3 = 435;
    private static final int CLONE_NEW_ANY = 0x7E020000; // NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;

    /** System calls the helper never needs and that would reach beyond its sandbox. */
    static final int[] DENIED = {
        101, // ptrace
        310, 311, // process_vm_readv, process_vm_writev
        321, // bpf
        323, // userfaultfd
        298, // perf_event_open
        425, 426, 427, // io_uring_setup, io_uring_enter, io_uring_register
        246, 320, // kexec_load, kexec_file_load
        175, 313, 176, // init_module, finit_module, delete_module
        165, 166, 155, 161, // mount, umount2, pivot_root, chroot
        428, 429, 430, 431, 432, 433, 442, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr
        272, 308, // unshare, setns
        248, 249, 250, // add_key, request_key, keyctl
        303, 304, // name_to_handle_at, open_by_handle_at
        300, // fanotify_init
        167, 168, 169, 163, // swapon, swapoff, reboot, acct
        103, // syslog
        172, 173, // iopl, ioperm
        135, // personality
        312, // kcmp
    };

    private SeccompFilter() {
    }

    /** The program as (code, jt, jf, k) quadruples, the shape {@code Linux.seccompProgram} takes. */
    static int[] program() {
        Program p = new Program();
        p.add(LD_W_ABS, 0, 0, ARCH);
        p.add(JEQ_K, 1, 0, AUDIT_ARCH_X86_64);
        p.add(RET_K, 0, 0, RET_KILL_PROCESS);
        p.add(LD_W_ABS, 0, 0, NR);
        p.add(JGE_K, 0, 1, X32_SYSCALL_BIT);
        p.add(RET_K, 0, 0, RET_KILL_PROCESS);
        for (int nr : DENIED) {
            p.add(JEQ_K, 0, 1, nr);
            p.add(RET_K, 0, 0, RET_ERRNO | EPERM);
        }
        // clone3 passes its flags in memory the filter cannot read: make the C library fall back to clone.
        p.add(JEQ_K, 0, 1, SYS_CLONE3);
        p.add(RET_K, 0, 0, RET_ERRNO | ENOSYS);
        // clone: refuse any new namespace.
        p.add(JEQ_K, 0, 4, SYS_CLONE);
        p.add(LD_W_ABS, 0, 0, ARG0_LOW);
        p.add(JSET_K, 0, 1, CLONE_NEW_ANY);
        p.add(RET_K, 0, 0, RET_ERRNO | EPERM);
        p.add(RET_K, 0, 0, RET_ALLOW);
        // socket(domain, type, protocol): no AF_UNIX, and IP sockets only as TCP streams.
        p.add(JEQ_K, 0, 11, SYS_SOCKET);
        p.add(LD_W_ABS, 0, 0, ARG0_LOW);
        p.add(JEQ_K, 0, 1, AF_UNIX);
        p.add(RET_K, 0, 0, RET_ERRNO | EACCES);
        p.add(JEQ_K, 2, 0, AF_INET);
        p.add(JEQ_K, 1, 0, AF_INET6);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.add(LD_W_ABS, 0, 0, ARG1_LOW);
        p.add(AND_K, 0, 0, 0xf); // the socket type without SOCK_NONBLOCK / SOCK_CLOEXEC
        p.add(JEQ_K, 1, 0, SOCK_STREAM);
        p.add(RET_K, 0, 0, RET_ERRNO | EACCES);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.add(RET_K, 0, 0, RET_ALLOW);
        return p.toArray();
    }

    private static final class Program {
        private int[] code = new int[512];
        private int size;

        void add(int op, int jt, int jf, int k) {
            if (size + 4 > code.length) {
                code = java.util.Arrays.copyOf(code, code.length * 2);
            }
            code[size++] = op;
            code[size++] = jt;
            code[size++] = jf;
            code[size++] = k;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(code, size);
        }
    }
}
