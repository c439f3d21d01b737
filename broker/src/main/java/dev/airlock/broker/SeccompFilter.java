package dev.airlock.broker;

import static dev.airlock.broker.BpfAssembler.NEXT;
import static dev.airlock.broker.SeccompAbi.*;
import static dev.airlock.broker.Syscall.*;

import dev.airlock.broker.BpfAssembler.Label;
import dev.airlock.unix.Errno;
import java.util.List;

/**
 * The helper's seccomp filter: an allow-list of the system calls a JVM (17 and 25), ordinary
 * Java programs and the processes they start (a shell, ls, cat) need, found by tracing them
 * (strace of {@code airlock run} over the integration tests, javac, jshell and the Workloads
 * probe). Landlock and the uid confine files and identity; this filter closes what they leave
 * open to native code in the helper: other processes (scheduling, limits, tracing), the kernel
 * (modules, mounts, keyrings, bpf, io_uring), new namespaces, sessions, SysV IPC, sockets that
 * reach past Landlock's TCP rules, terminal input injection, and metadata changes Landlock has no
 * right for (those go through the broker, which decides them by the policy).
 *
 * <p>Order: a foreign architecture or the x32 ABI kills the process (their numbers mean other
 * calls); then the calls whose arguments decide the risk, each checked by its own rule; then
 * the calls refused with an errno of their own; then the allow-list groups; anything else fails
 * with EPERM. Every rule reads only the low 32 bits of an argument, as the kernel does for the
 * {@code int} arguments checked here, and the filter's answer for every unchecked call depends on
 * its number alone, so the kernel caches it and allowed calls cost nothing.
 */
final class SeccompFilter {
    /** One named group of system calls and why they are in it. */
    record Group(String why, List<Syscall> calls) {
        Group(String why, Syscall... calls) {
            this(why, List.of(calls));
        }
    }

    /** Allowed whatever their arguments. */
    static final List<Group> ALLOWED = List.of(
            new Group(
                    "descriptors it holds: what they reach was decided when they were opened (Landlock, the broker)",
                    READ,
                    WRITE,
                    READV,
                    WRITEV,
                    PREAD64,
                    PWRITE64,
                    PREADV,
                    PWRITEV,
                    PREADV2,
                    PWRITEV2,
                    LSEEK,
                    CLOSE,
                    CLOSE_RANGE,
                    DUP,
                    DUP2,
                    DUP3,
                    FCNTL,
                    FLOCK,
                    FSYNC,
                    FDATASYNC,
                    SYNC_FILE_RANGE,
                    FADVISE64,
                    FALLOCATE,
                    FTRUNCATE,
                    FSTAT,
                    FSTATFS,
                    GETDENTS,
                    GETDENTS64,
                    SENDFILE,
                    COPY_FILE_RANGE,
                    SPLICE,
                    TEE,
                    PIPE,
                    PIPE2,
                    POLL,
                    PPOLL,
                    SELECT,
                    PSELECT6,
                    EPOLL_CREATE,
                    EPOLL_CREATE1,
                    EPOLL_CTL,
                    EPOLL_WAIT,
                    EPOLL_PWAIT,
                    EPOLL_PWAIT2,
                    EVENTFD,
                    EVENTFD2),
            new Group(
                    "paths: Landlock decides every open, create, remove and rename; stat and xattr reads reveal no content",
                    OPEN,
                    OPENAT,
                    OPENAT2,
                    CREAT,
                    STAT,
                    LSTAT,
                    NEWFSTATAT,
                    STATX,
                    STATFS,
                    ACCESS,
                    FACCESSAT,
                    FACCESSAT2,
                    READLINK,
                    READLINKAT,
                    GETCWD,
                    CHDIR,
                    FCHDIR,
                    MKDIR,
                    MKDIRAT,
                    RMDIR,
                    UNLINK,
                    UNLINKAT,
                    RENAME,
                    RENAMEAT,
                    RENAMEAT2,
                    LINK,
                    LINKAT,
                    SYMLINK,
                    SYMLINKAT,
                    TRUNCATE,
                    UMASK,
                    GETXATTR,
                    LGETXATTR,
                    FGETXATTR,
                    LISTXATTR,
                    LLISTXATTR,
                    FLISTXATTR,
                    INOTIFY_INIT,
                    INOTIFY_INIT1,
                    INOTIFY_RM_WATCH),
            new Group(
                    "its own memory",
                    BRK,
                    MMAP,
                    MUNMAP,
                    MPROTECT,
                    MREMAP,
                    MADVISE,
                    MSYNC,
                    MINCORE,
                    MLOCK,
                    MLOCK2,
                    MUNLOCK,
                    MEMBARRIER,
                    GET_MEMPOLICY,
                    SET_MEMPOLICY,
                    MBIND,
                    MSEAL),
            new Group(
                    "its own threads: futexes, TLS, scheduling queries (the JVM asks sched_getaffinity of its own thread ids)",
                    FUTEX,
                    FUTEX_WAITV,
                    SET_ROBUST_LIST,
                    SET_TID_ADDRESS,
                    RSEQ,
                    GETTID,
                    SCHED_YIELD,
                    SCHED_GETAFFINITY,
                    SCHED_GETPARAM,
                    SCHED_GETSCHEDULER,
                    SCHED_GETATTR,
                    SCHED_GET_PRIORITY_MAX,
                    SCHED_GET_PRIORITY_MIN,
                    SCHED_RR_GET_INTERVAL,
                    GETPRIORITY,
                    IOPRIO_GET,
                    GETCPU,
                    ARCH_PRCTL,
                    EXIT,
                    NANOSLEEP,
                    CLOCK_NANOSLEEP,
                    RESTART_SYSCALL),
            new Group(
                    "processes it starts (ProcessBuilder, a shell's pipeline); signals stay in its Landlock domain (scoped, ABI 6)",
                    FORK,
                    VFORK,
                    EXECVE,
                    EXECVEAT,
                    WAIT4,
                    WAITID,
                    EXIT_GROUP,
                    KILL,
                    TGKILL,
                    TKILL,
                    GETPID,
                    GETPPID,
                    GETPGRP,
                    GETPGID,
                    GETSID),
            // posix_spawn's POSIX_SPAWN_SETSID calls setsid in the helper itself, after this filter is in
            // force, and BPF cannot tell that call from a descendant's. A descendant in a session of its
            // own still cannot leave the broker's tree: the broker is their subreaper and ends every
            // process it inherits (HelperProcess), and without TIOCSCTTY or a terminal it may open it
            // gets no controlling terminal.
            new Group("a new session: the helper's own, made by posix_spawn after the filter is in force", SETSID),
            new Group(
                    "its own signal handling and timers",
                    RT_SIGACTION,
                    RT_SIGPROCMASK,
                    RT_SIGRETURN,
                    RT_SIGSUSPEND,
                    RT_SIGPENDING,
                    RT_SIGTIMEDWAIT,
                    SIGALTSTACK,
                    PAUSE,
                    ALARM,
                    GETITIMER,
                    SETITIMER,
                    TIMER_CREATE,
                    TIMER_SETTIME,
                    TIMER_GETTIME,
                    TIMER_GETOVERRUN,
                    TIMER_DELETE,
                    CLOCK_GETTIME,
                    CLOCK_GETRES,
                    GETTIMEOFDAY,
                    TIME),
            new Group(
                    "what it may know of itself and the machine; its own limits (setrlimit has no pid)",
                    GETUID,
                    GETEUID,
                    GETGID,
                    GETEGID,
                    GETRESUID,
                    GETRESGID,
                    GETGROUPS,
                    CAPGET,
                    UNAME,
                    SYSINFO,
                    GETRUSAGE,
                    TIMES,
                    GETRLIMIT,
                    SETRLIMIT,
                    GETRANDOM),
            new Group(
                    "the spawner thread drops to the helper's user after the filter is in force; without capabilities these only shuffle its own ids",
                    SETRESUID,
                    SETRESGID,
                    SETGROUPS),
            new Group(
                    "sockets once made (socket and socketpair are checked; connect, bind and the sends have rules of their own)",
                    ACCEPT,
                    ACCEPT4,
                    GETSOCKNAME,
                    GETPEERNAME,
                    SETSOCKOPT,
                    GETSOCKOPT,
                    SHUTDOWN,
                    RECVFROM,
                    RECVMSG,
                    RECVMMSG));

    /** Named here, refused by their absence from {@link #ALLOWED} (EPERM); a test keeps them out of it. */
    static final List<Group> REFUSED = List.of(
            new Group(
                    "metadata changes: Landlock has no right for them, so they go through the broker, which decides them by the policy",
                    CHMOD,
                    FCHMOD,
                    FCHMODAT,
                    FCHMODAT2,
                    CHOWN,
                    FCHOWN,
                    LCHOWN,
                    FCHOWNAT,
                    UTIME,
                    UTIMES,
                    FUTIMESAT,
                    UTIMENSAT,
                    SETXATTR,
                    LSETXATTR,
                    FSETXATTR,
                    REMOVEXATTR,
                    LREMOVEXATTR,
                    FREMOVEXATTR,
                    SETXATTRAT,
                    REMOVEXATTRAT,
                    FILE_SETATTR),
            new Group(
                    "SysV IPC: shared memory, semaphores and queues of other processes of its uid",
                    SHMGET,
                    SHMAT,
                    SHMDT,
                    SHMCTL,
                    SEMGET,
                    SEMOP,
                    SEMTIMEDOP,
                    SEMCTL,
                    MSGGET,
                    MSGSND,
                    MSGRCV,
                    MSGCTL),
            new Group("a new process group: job control, which no confined program needs", SETPGID),
            new Group("namespaces: a user namespace hands out capabilities inside it", UNSHARE, SETNS),
            new Group(
                    "other processes and the kernel",
                    PTRACE,
                    PROCESS_VM_READV,
                    PROCESS_VM_WRITEV,
                    PIDFD_OPEN,
                    PIDFD_GETFD,
                    PIDFD_SEND_SIGNAL,
                    PROCESS_MADVISE,
                    KCMP,
                    BPF,
                    PERF_EVENT_OPEN,
                    USERFAULTFD,
                    IO_URING_SETUP,
                    IO_URING_ENTER,
                    IO_URING_REGISTER,
                    KEXEC_LOAD,
                    KEXEC_FILE_LOAD,
                    INIT_MODULE,
                    FINIT_MODULE,
                    DELETE_MODULE,
                    MOUNT,
                    UMOUNT2,
                    PIVOT_ROOT,
                    CHROOT,
                    OPEN_TREE,
                    MOVE_MOUNT,
                    FSOPEN,
                    FSCONFIG,
                    FSMOUNT,
                    FSPICK,
                    MOUNT_SETATTR,
                    ADD_KEY,
                    REQUEST_KEY,
                    KEYCTL,
                    NAME_TO_HANDLE_AT,
                    OPEN_BY_HANDLE_AT,
                    FANOTIFY_INIT,
                    SWAPON,
                    SWAPOFF,
                    REBOOT,
                    ACCT,
                    SYSLOG,
                    IOPL,
                    IOPERM,
                    PERSONALITY,
                    SECCOMP,
                    MKNOD,
                    MKNODAT,
                    MEMFD_CREATE));

    /**
     * Requests on descriptors it holds: terminal modes and size (isatty, ls, jline in jshell on
     * JDK 25 switching the terminal to raw mode; termios2 is the same with a larger struct),
     * the foreground group query, bytes available (InputStream.available on pipes, sockets and
     * terminals), blocking and close-on-exec modes, a block device's size (the JDK's length).
     * TIOCSTI and TIOCLINUX (keystrokes into a terminal) are refused by name before these.
     */
    static final List<Integer> IOCTLS = List.of(
            TCGETS,
            TCSETS,
            TCSETSW,
            TCSETSF,
            TCGETS2,
            TCSETS2,
            TCSETSW2,
            TCSETSF2,
            TIOCGWINSZ,
            TIOCGPGRP,
            FIONREAD,
            FIONBIO,
            FIOCLEX,
            FIONCLEX,
            BLKGETSIZE64);

    /**
     * Options that act on the calling thread or process only: thread names (every JVM thread),
     * names of its anonymous memory, transparent huge pages, and reads of its own state.
     * PR_SET_PDEATHSIG is checked on its own: only SIGKILL may be set, so it cannot be unset.
     */
    static final List<Integer> PRCTLS = List.of(
            PR_SET_NAME,
            PR_GET_NAME,
            PR_SET_VMA,
            PR_GET_PDEATHSIG,
            PR_GET_DUMPABLE,
            PR_GET_SECCOMP,
            PR_CAPBSET_READ,
            PR_GET_CHILD_SUBREAPER,
            PR_SET_NO_NEW_PRIVS,
            PR_GET_NO_NEW_PRIVS,
            PR_SET_THP_DISABLE,
            PR_GET_THP_DISABLE);

    /** clone flags refused: every new namespace, and CLONE_PARENT (a child of the helper's parent, the broker). */
    static final int CLONE_REFUSED = CLONE_PARENT
            | CLONE_NEWNS
            | CLONE_NEWCGROUP
            | CLONE_NEWUTS
            | CLONE_NEWIPC
            | CLONE_NEWUSER
            | CLONE_NEWPID
            | CLONE_NEWNET;

    private SeccompFilter() {}

    private static int errno(int errno) {
        return RET_ERRNO | errno;
    }

    /** The program as (code, jt, jf, k) quadruples, the shape {@code Seccomp.prepare} takes. */
    static int[] program() {
        BpfAssembler a = new BpfAssembler();
        Label nativeArch = a.label("x86_64");
        Label nativeAbi = a.label("not x32");
        a.load(ARCH).jumpIfEqual(AUDIT_ARCH_X86_64, nativeArch, NEXT).ret(RET_KILL_PROCESS);
        a.place(nativeArch)
                .load(NR)
                .jumpIfAtLeast(X32_SYSCALL_BIT, NEXT, nativeAbi)
                .ret(RET_KILL_PROCESS);
        a.place(nativeAbi);

        socketRule(a);
        socketpairRule(a);
        sendtoRule(a);
        // sendmsg and sendmmsg carry their destination in memory the filter cannot read, so no rule
        // on their arguments can confine them; the JDK sends on inet sockets with sendto and write,
        // and the helper's client sends every request with send(2) (a sendto without an address):
        // the broker takes a descriptor a request names with pidfd_getfd (HelperDescriptors)
        // rather than receive it with SCM_RIGHTS. So both are refused whatever the descriptor.
        refuse(a, SENDMSG, Errno.EACCES);
        refuse(a, SENDMMSG, Errno.EACCES);
        // Every connect and bind is the broker's, decided by the policy (the helper's UDP sockets
        // are the broker's, live in its namespace, and no Landlock rule governs UDP).
        refuse(a, CONNECT, Errno.EACCES);
        refuse(a, BIND, Errno.EACCES);
        ioctlRule(a);
        prctlRule(a);
        cloneRule(a);
        // Other processes of the same uid out of reach: these act on the caller (pid or who 0) only.
        onlyWhen(a, PRLIMIT64, 0, 0);
        onlyWhen(a, SETPRIORITY, 0, PRIO_PROCESS, 1, 0);
        onlyWhen(a, SCHED_SETAFFINITY, 0, 0);
        onlyWhen(a, SCHED_SETSCHEDULER, 0, 0);
        onlyWhen(a, SCHED_SETPARAM, 0, 0);
        onlyWhen(a, SCHED_SETATTR, 0, 0);
        onlyWhen(a, IOPRIO_SET, 0, IOPRIO_WHO_PROCESS, 1, 0);

        // clone3 passes its flags in memory the filter cannot read; glibc falls back to clone on ENOSYS.
        refuse(a, CLONE3, Errno.ENOSYS);
        // listen on an unbound socket binds an ephemeral port on every address, past Landlock's bind rule.
        refuse(a, LISTEN, Errno.EACCES);
        // A watch reports names in directories the helper may not list: the broker adds watches after a read decision.
        refuse(a, INOTIFY_ADD_WATCH, Errno.EACCES);

        for (Group group : ALLOWED) {
            allow(a, group);
        }
        a.ret(errno(Errno.EPERM));
        return a.finish();
    }

    /** Starts the rule for {@code call}: the code after this runs for that call only; returns the label after the rule. */
    private static Label ruleFor(BpfAssembler a, Syscall call) {
        Label after = a.label("after " + call);
        a.jumpIfEqual(call.number(), NEXT, after);
        return after;
    }

    private static void allow(BpfAssembler a, Group group) {
        Label allow = a.label("allow " + group.why());
        Label after = a.label("after " + group.why());
        for (Syscall call : group.calls()) {
            a.jumpIfEqual(call.number(), allow, NEXT);
        }
        a.jump(after);
        a.place(allow).ret(RET_ALLOW);
        a.place(after);
    }

    private static void refuse(BpfAssembler a, Syscall call, int errno) {
        Label after = ruleFor(a, call);
        a.ret(errno(errno));
        a.place(after);
    }

    /**
     * socket: only TCP over IPv4 or IPv6 (any SOCK_NONBLOCK / SOCK_CLOEXEC), which Landlock's TCP
     * rules and the network namespace govern. Refused as Landlock refuses TCP, with EACCES: Unix
     * sockets (a pathname socket of another service is no file open Landlock sees), UDP, raw,
     * packet, netlink (SOCK_DIAG lists every socket on the machine), vsock (the VM host), MPTCP
     * (protocol 262, whose connect Landlock does not see).
     */
    private static void socketRule(BpfAssembler a) {
        Label after = ruleFor(a, SOCKET);
        Label inet = a.label("socket: inet");
        Label allow = a.label("socket: allow");
        Label refuse = a.label("socket: refuse");
        a.load(argLow(0)).jumpIfEqual(AF_INET, inet, NEXT).jumpIfEqual(AF_INET6, inet, refuse);
        a.place(inet).load(argLow(1)).and(SOCK_TYPE_MASK).jumpIfEqual(SOCK_STREAM, NEXT, refuse);
        a.load(argLow(2)).jumpIfEqual(0, allow, NEXT).jumpIfEqual(IPPROTO_TCP, allow, refuse);
        a.place(allow).ret(RET_ALLOW);
        a.place(refuse).ret(errno(Errno.EACCES));
        a.place(after);
    }

    /**
     * socketpair: only a connected Unix stream or seqpacket pair (the JDK's own, and the broker
     * channel's kind). A datagram pair could sendmsg to any pathname datagram socket on the
     * machine and pass descriptors out with SCM_RIGHTS.
     */
    private static void socketpairRule(BpfAssembler a) {
        Label after = ruleFor(a, SOCKETPAIR);
        Label allow = a.label("socketpair: allow");
        Label refuse = a.label("socketpair: refuse");
        a.load(argLow(0)).jumpIfEqual(AF_UNIX, NEXT, refuse);
        a.load(argLow(1))
                .and(SOCK_TYPE_MASK)
                .jumpIfEqual(SOCK_STREAM, allow, NEXT)
                .jumpIfEqual(SOCK_SEQPACKET, allow, refuse);
        a.place(allow).ret(RET_ALLOW);
        a.place(refuse).ret(errno(Errno.EACCES));
        a.place(after);
    }

    /**
     * sendto: only without a destination (its address argument NULL, both halves), as write(2)
     * on a connected socket, whose peer the broker decided; and never MSG_FASTOPEN, which
     * connects without connect(2). An address would send a datagram past the policy.
     */
    private static void sendtoRule(BpfAssembler a) {
        Label after = ruleFor(a, SENDTO);
        Label refuse = a.label("sendto: refuse");
        a.load(argLow(3)).jumpIfAnySet(MSG_FASTOPEN, refuse, NEXT);
        a.load(argLow(4)).jumpIfEqual(0, NEXT, refuse);
        a.load(argHigh(4)).jumpIfEqual(0, NEXT, refuse).ret(RET_ALLOW);
        a.place(refuse).ret(errno(Errno.EACCES));
        a.place(after);
    }

    /**
     * ioctl: the requests of {@link #IOCTLS}, compared on the low 32 bits as the kernel does (its
     * {@code cmd} is an unsigned int), so high bits cannot smuggle TIOCSTI past. Anything else
     * fails with ENOTTY, the kernel's own "not a request this descriptor knows", which every
     * caller already handles.
     */
    private static void ioctlRule(BpfAssembler a) {
        Label after = ruleFor(a, IOCTL);
        Label allow = a.label("ioctl: allow");
        Label inject = a.label("ioctl: terminal injection");
        a.load(argLow(1)).jumpIfEqual(TIOCSTI, inject, NEXT).jumpIfEqual(TIOCLINUX, inject, NEXT);
        for (int request : IOCTLS) {
            a.jumpIfEqual(request, allow, NEXT);
        }
        a.ret(errno(ENOTTY));
        a.place(allow).ret(RET_ALLOW);
        a.place(inject).ret(errno(Errno.EPERM));
        a.place(after);
    }

    /**
     * prctl: the options of {@link #PRCTLS}, and PR_SET_PDEATHSIG with exactly SIGKILL (the agent
     * sets it so the helper dies with the broker; setting 0 would undo it). Refused among the rest:
     * PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_PTRACER, PR_SET_MM, PR_SET_SECCOMP.
     */
    private static void prctlRule(BpfAssembler a) {
        Label after = ruleFor(a, PRCTL);
        Label allow = a.label("prctl: allow");
        Label refuse = a.label("prctl: refuse");
        Label deathSignal = a.label("prctl: PR_SET_PDEATHSIG");
        a.load(argLow(0)).jumpIfEqual(PR_SET_PDEATHSIG, deathSignal, NEXT);
        for (int option : PRCTLS) {
            a.jumpIfEqual(option, allow, NEXT);
        }
        a.jump(refuse);
        a.place(deathSignal).load(argLow(1)).jumpIfEqual(SIGKILL, NEXT, refuse);
        a.load(argHigh(1)).jumpIfEqual(0, allow, refuse);
        a.place(allow).ret(RET_ALLOW);
        a.place(refuse).ret(errno(Errno.EPERM));
        a.place(after);
    }

    /**
     * clone: threads, fork and posix_spawn's vfork, but no new namespace, no CLONE_PARENT, and no
     * thread (CLONE_THREAD) without CLONE_FILES: such a thread would have a descriptor table of its
     * own under the helper's pid, so a descriptor number in its messages would not name the
     * helper's table (glibc's and the JVM's threads always share it). The kernel reads only the
     * low 32 bits of clone's flags; clone3, whose flags are in memory, is refused whole below.
     */
    private static void cloneRule(BpfAssembler a) {
        Label after = ruleFor(a, CLONE);
        Label refuse = a.label("clone: refuse");
        Label thread = a.label("clone: a thread");
        Label allow = a.label("clone: allow");
        a.load(argLow(0)).jumpIfAnySet(CLONE_REFUSED, refuse, NEXT).jumpIfAnySet(CLONE_THREAD, thread, allow);
        a.place(thread).jumpIfAnySet(CLONE_FILES, allow, refuse);
        a.place(allow).ret(RET_ALLOW);
        a.place(refuse).ret(errno(Errno.EPERM));
        a.place(after);
    }

    /**
     * Allows {@code call} only when each given argument (pairs of index, value, compared on the
     * low 32 bits: pids and selectors are ints) has its value; refused with EPERM otherwise.
     */
    private static void onlyWhen(BpfAssembler a, Syscall call, int... argumentValues) {
        Label after = ruleFor(a, call);
        Label refuse = a.label(call + ": refuse");
        for (int i = 0; i < argumentValues.length; i += 2) {
            a.load(argLow(argumentValues[i])).jumpIfEqual(argumentValues[i + 1], NEXT, refuse);
        }
        a.ret(RET_ALLOW);
        a.place(refuse).ret(errno(Errno.EPERM));
        a.place(after);
    }
}
