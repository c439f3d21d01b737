package dev.airlock.broker;

import static dev.airlock.broker.SeccompAbi.*;
import static dev.airlock.broker.SeccompFilter.*;
import static dev.airlock.broker.Syscall.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.BpfInterpreter.Call;
import dev.airlock.broker.BpfInterpreter.Outcome;
import dev.airlock.unix.Errno;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The filter's decisions, as tables of (arch, nr, args) and the action the program returns, run
 * on {@link BpfInterpreter}: every rule, each on both sides of its boundary.
 */
class SeccompFilterTest {
    private static final int[] PROGRAM = SeccompFilter.program();
    private static final int ALLOW = RET_ALLOW;
    private static final int EPERM = RET_ERRNO | Errno.EPERM;
    private static final int EACCES = RET_ERRNO | Errno.EACCES;
    private static final int ENOSYS = RET_ERRNO | Errno.ENOSYS;
    private static final int NOTTY = RET_ERRNO | ENOTTY;
    private static final long HIGH = 0xdead_beef_0000_0000L;

    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int AF_NETLINK = 16;
    private static final int AF_PACKET = 17;
    private static final int AF_VSOCK = 40;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_MPTCP = 262;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SIGCHLD = 17;
    private static final int THREAD_FLAGS = 0x003d0f00; // glibc's pthread_create
    private static final int FORK_FLAGS = 0x01200000 | SIGCHLD; // CHILD_SETTID|CHILD_CLEARTID
    private static final int VFORK_FLAGS = 0x00004100 | SIGCHLD; // VM|VFORK, posix_spawn

    private static int action(Call call) {
        return BpfInterpreter.run(PROGRAM, call).action();
    }

    private record Row(String what, Call call, int expected) {}

    private static Row row(String what, Syscall call, int expected, long... args) {
        return new Row(what, Call.of(call, args), expected);
    }

    private static void check(List<Row> rows) {
        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            int actual = action(row.call());
            if (actual != row.expected()) {
                wrong.add(row.what() + ": expected 0x" + Integer.toHexString(row.expected()) + ", got 0x"
                        + Integer.toHexString(actual));
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void programFitsTheKernelsLimits() {
        assertEquals(0, PROGRAM.length % 4);
        assertTrue(PROGRAM.length / 4 <= BpfAssembler.MAX_INSTRUCTIONS, PROGRAM.length / 4 + " instructions");
    }

    @Test
    void foreignArchitecturesAndX32AreKilled() {
        check(List.of(
                new Row("i386 read", new Call(AUDIT_ARCH_I386, 3), RET_KILL_PROCESS),
                new Row("i386 anything", new Call(AUDIT_ARCH_I386, 0), RET_KILL_PROCESS),
                new Row("aarch64", new Call(0xC00000B7, READ.number()), RET_KILL_PROCESS),
                new Row("x32 read", new Call(AUDIT_ARCH_X86_64, X32_SYSCALL_BIT | READ.number()), RET_KILL_PROCESS),
                new Row("x32 highest", new Call(AUDIT_ARCH_X86_64, -1), RET_KILL_PROCESS),
                new Row("native read", new Call(AUDIT_ARCH_X86_64, READ.number()), ALLOW)));
    }

    @Test
    void everyAllowedCallIsAllowedWhateverItsArgumentsAndDecidedByItsNumberAlone() {
        Random random = new Random(9);
        for (Group group : ALLOWED) {
            for (Syscall call : group.calls()) {
                for (int i = 0; i < 20; i++) {
                    long[] args = random.longs(6).toArray();
                    Outcome outcome = BpfInterpreter.run(PROGRAM, Call.of(call, args));
                    assertEquals(ALLOW, outcome.action(), call + " " + java.util.Arrays.toString(args));
                    // What makes the kernel cache the answer (seccomp's constant-action bitmap).
                    assertFalse(outcome.readArguments(), call + " must be decided without reading its arguments");
                }
            }
        }
    }

    @Test
    void namedRefusalsAndUnknownNumbersFailWithEperm() {
        List<Row> rows = new ArrayList<>();
        for (Group group : REFUSED) {
            for (Syscall call : group.calls()) {
                rows.add(row(call.toString(), call, EPERM));
                rows.add(row(call + " with arguments", call, EPERM, 1, 2, 3, 4, 5, 6));
            }
        }
        for (int nr : new int[] {470, 471, 500, 1000, 0x3fffffff}) {
            rows.add(new Row("number " + nr, new Call(AUDIT_ARCH_X86_64, nr), EPERM));
        }
        check(rows);
    }

    @Test
    void theHelperCanNeitherMountNorLeaveItsMountNamespace() {
        // the spawner thread builds the helper's class path view before this filter; the helper may change none of it
        List<Row> rows = new ArrayList<>();
        for (Syscall call : List.of(
                MOUNT,
                UMOUNT2,
                PIVOT_ROOT,
                OPEN_TREE,
                MOVE_MOUNT,
                FSOPEN,
                FSCONFIG,
                FSMOUNT,
                FSPICK,
                MOUNT_SETATTR,
                UNSHARE,
                SETNS,
                CHROOT)) {
            rows.add(row(call.toString(), call, EPERM, 0, 0, 0, 0, 0, 0));
            rows.add(row(call + " with arguments", call, EPERM, 1, 2, 3, 4, 5, 6));
        }
        check(rows);
    }

    @Test
    void tablesDoNotOverlap() {
        Set<Syscall> seen = EnumSet.noneOf(Syscall.class);
        List<Group> all = new ArrayList<>(ALLOWED);
        all.addAll(REFUSED);
        for (Group group : all) {
            for (Syscall call : group.calls()) {
                assertTrue(seen.add(call), call + " is in two tables");
            }
        }
        for (Syscall checked : List.of(
                SOCKET,
                SOCKETPAIR,
                SENDTO,
                SENDMSG,
                SENDMMSG,
                LISTEN,
                IOCTL,
                PRCTL,
                CLONE,
                CLONE3,
                PRLIMIT64,
                SETPRIORITY,
                SCHED_SETAFFINITY,
                SCHED_SETSCHEDULER,
                SCHED_SETPARAM,
                SCHED_SETATTR,
                IOPRIO_SET,
                INOTIFY_ADD_WATCH,
                CONNECT,
                BIND)) {
            assertTrue(seen.add(checked), checked + " has its own rule and must not be in a table");
        }
        assertEquals(new HashSet<>(IOCTLS).size(), IOCTLS.size());
        assertEquals(new HashSet<>(PRCTLS).size(), PRCTLS.size());
        assertFalse(IOCTLS.contains(TIOCSTI) || IOCTLS.contains(TIOCLINUX));
        assertFalse(PRCTLS.contains(PR_SET_PDEATHSIG) || PRCTLS.contains(PR_SET_CHILD_SUBREAPER));
    }

    @Test
    void socketsOnlyTcpOverIp() {
        check(List.of(
                row("tcp4", SOCKET, ALLOW, AF_INET, SOCK_STREAM, 0),
                row("tcp6 IPPROTO_TCP", SOCKET, ALLOW, AF_INET6, SOCK_STREAM, IPPROTO_TCP),
                row("tcp6 nonblocking cloexec", SOCKET, ALLOW, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
                row("tcp4 high bits (the kernel reads ints)", SOCKET, ALLOW, HIGH | AF_INET, HIGH | SOCK_STREAM, HIGH),
                row("unix stream", SOCKET, EACCES, AF_UNIX, SOCK_STREAM, 0),
                row("unix nonblocking cloexec", SOCKET, EACCES, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
                row("udp4", SOCKET, EACCES, AF_INET, SOCK_DGRAM, 0),
                row("udp6 IPPROTO_UDP", SOCKET, EACCES, AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
                row("raw", SOCKET, EACCES, AF_INET, SOCK_RAW, 1),
                row("mptcp", SOCKET, EACCES, AF_INET, SOCK_STREAM, IPPROTO_MPTCP),
                row("mptcp6", SOCKET, EACCES, AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP),
                row("tcp with udp protocol", SOCKET, EACCES, AF_INET, SOCK_STREAM, IPPROTO_UDP),
                row("sctp seqpacket", SOCKET, EACCES, AF_INET, SOCK_SEQPACKET, 132),
                row("netlink", SOCKET, EACCES, AF_NETLINK, SOCK_RAW, 4),
                row("packet", SOCKET, EACCES, AF_PACKET, SOCK_RAW, 0),
                row("vsock", SOCKET, EACCES, AF_VSOCK, SOCK_STREAM, 0),
                row("inet in the high word only", SOCKET, EACCES, (long) AF_INET << 32, SOCK_STREAM, 0)));
    }

    @Test
    void socketPairsOnlyConnectedUnixStreamsAndSeqpackets() {
        check(List.of(
                row("unix stream", SOCKETPAIR, ALLOW, AF_UNIX, SOCK_STREAM, 0),
                row("unix seqpacket cloexec", SOCKETPAIR, ALLOW, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0),
                row("unix dgram", SOCKETPAIR, EACCES, AF_UNIX, SOCK_DGRAM, 0),
                row("unix dgram nonblocking", SOCKETPAIR, EACCES, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0),
                row("inet stream", SOCKETPAIR, EACCES, AF_INET, SOCK_STREAM, 0)));
    }

    @Test
    void sendsWithoutFastOpenAndNoListen() {
        check(List.of(
                row("sendto", SENDTO, ALLOW, 5, 0, 10, MSG_NOSIGNAL, 0, 0),
                row("sendto fastopen", SENDTO, EACCES, 5, 0, 10, MSG_FASTOPEN, 0, 0),
                row("sendto fastopen nosignal", SENDTO, EACCES, 5, 0, 10, MSG_FASTOPEN | MSG_NOSIGNAL, 0, 0),
                row("sendto fastopen in the length", SENDTO, ALLOW, 5, 0, MSG_FASTOPEN, 0, 0, 0),
                row("sendto with an address", SENDTO, EACCES, 5, 0, 10, 0, 0x7fff_0000_1000L, 16),
                row("sendto with an address in the low half", SENDTO, EACCES, 5, 0, 10, 0, 0x1000, 16),
                row("sendto with an address in the high half", SENDTO, EACCES, 5, 0, 10, 0, HIGH, 16),
                row("sendto without an address, any length", SENDTO, ALLOW, 5, 0, 10, 0, 0, 16),
                row("sendmsg on the channel", SENDMSG, EACCES, 3, 0, MSG_NOSIGNAL),
                row("sendmsg on the channel, no flags", SENDMSG, EACCES, 3, 0, 0),
                row("sendmsg fastopen", SENDMSG, EACCES, 3, 0, MSG_FASTOPEN),
                row("sendmsg on another descriptor", SENDMSG, EACCES, 5, 0, MSG_NOSIGNAL),
                row("sendmsg on 4", SENDMSG, EACCES, 4, 0, 0),
                row("sendmsg on 3 with high bits", SENDMSG, EACCES, HIGH | 3, 0, 0),
                row("sendmmsg", SENDMMSG, EACCES, 3, 0, 2, 0),
                row("sendmmsg fastopen", SENDMMSG, EACCES, 3, 0, 2, MSG_FASTOPEN),
                row("listen", LISTEN, EACCES, 5, 50),
                row("bind", BIND, EACCES, 5, 0, 16),
                row("connect", CONNECT, EACCES, 5, 0, 16),
                row("accept4", ACCEPT4, ALLOW, 5, 0, 0, 0)));
    }

    @Test
    void ioctlsByTheirLow32BitsAndNeverTerminalInjection() {
        List<Row> rows = new ArrayList<>();
        for (int request : IOCTLS) {
            rows.add(row("0x" + Integer.toHexString(request), IOCTL, ALLOW, 0, request & 0xffffffffL, 0));
            rows.add(row(
                    "0x" + Integer.toHexString(request) + " high bits",
                    IOCTL,
                    ALLOW,
                    0,
                    HIGH | (request & 0xffffffffL),
                    0));
        }
        for (long high : new long[] {0, HIGH, 0xffffffff_00000000L, 1L << 32}) {
            rows.add(row("TIOCSTI " + Long.toHexString(high), IOCTL, EPERM, 0, high | TIOCSTI, 0));
            rows.add(row("TIOCLINUX " + Long.toHexString(high), IOCTL, EPERM, 0, high | TIOCLINUX, 0));
        }
        rows.add(row("TIOCSCTTY", IOCTL, NOTTY, 0, 0x540E, 0));
        rows.add(row("TIOCSPGRP", IOCTL, NOTTY, 0, 0x5410, 0));
        rows.add(row("TIOCSWINSZ", IOCTL, NOTTY, 0, 0x5414, 0));
        rows.add(row("FS_IOC_SETFLAGS", IOCTL, NOTTY, 3, 0x40086602, 0));
        rows.add(row("TCGETS in the high word only", IOCTL, NOTTY, 0, (long) TCGETS << 32, 0));
        check(rows);
    }

    @Test
    void prctlOnlyOwnStateAndAParentDeathSignalThatStays() {
        List<Row> rows = new ArrayList<>();
        for (int option : PRCTLS) {
            rows.add(row("option " + option, PRCTL, ALLOW, option, 0, 0, 0, 0));
        }
        rows.add(row("PR_SET_NAME high bits", PRCTL, ALLOW, HIGH | PR_SET_NAME, 0));
        rows.add(row("PR_SET_PDEATHSIG SIGKILL", PRCTL, ALLOW, PR_SET_PDEATHSIG, SIGKILL));
        rows.add(row("PR_SET_PDEATHSIG 0 (unset)", PRCTL, EPERM, PR_SET_PDEATHSIG, 0));
        rows.add(row("PR_SET_PDEATHSIG SIGTERM", PRCTL, EPERM, PR_SET_PDEATHSIG, 15));
        rows.add(row("PR_SET_PDEATHSIG SIGKILL high bits", PRCTL, EPERM, PR_SET_PDEATHSIG, (1L << 32) | SIGKILL));
        rows.add(row("PR_SET_CHILD_SUBREAPER", PRCTL, EPERM, PR_SET_CHILD_SUBREAPER, 1));
        rows.add(row("PR_SET_DUMPABLE", PRCTL, EPERM, 4, 1));
        rows.add(row("PR_SET_SECCOMP", PRCTL, EPERM, 22, 2));
        rows.add(row("PR_SET_MM", PRCTL, EPERM, 35, 1));
        rows.add(row("PR_SET_PTRACER", PRCTL, EPERM, 0x59616d61, -1L));
        check(rows);
    }

    @Test
    void cloneWithoutNamespacesOrANewParentAndClone3FallsBack() {
        List<Row> rows = new ArrayList<>(List.of(
                row("thread", CLONE, ALLOW, THREAD_FLAGS),
                row("fork", CLONE, ALLOW, FORK_FLAGS),
                row("posix_spawn vfork", CLONE, ALLOW, VFORK_FLAGS),
                row("CLONE_PARENT", CLONE, EPERM, CLONE_PARENT | SIGCHLD),
                row("thread with its own descriptor table", CLONE, EPERM, THREAD_FLAGS & ~CLONE_FILES),
                row("fork without CLONE_FILES", CLONE, ALLOW, FORK_FLAGS & ~CLONE_FILES),
                row(
                        "namespace flag in the high word (ignored by the kernel)",
                        CLONE,
                        ALLOW,
                        ((long) CLONE_NEWUSER << 32) | SIGCHLD),
                row("clone3", CLONE3, ENOSYS, 0, 88)));
        for (int flag : new int[] {
            CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET
        }) {
            rows.add(row("namespace 0x" + Integer.toHexString(flag), CLONE, EPERM, flag | SIGCHLD));
            rows.add(row("thread + namespace 0x" + Integer.toHexString(flag), CLONE, EPERM, flag | THREAD_FLAGS));
        }
        check(rows);
    }

    @Test
    void limitsAndSchedulingOnlyOfTheCaller() {
        int prioPgrp = 1;
        int prioUser = 2;
        int ioprioWhoPgrp = 2;
        int ioprioWhoUser = 3;
        List<Row> rows = new ArrayList<>(List.of(
                row("prlimit64 self", PRLIMIT64, ALLOW, 0, 7, 0, 1234),
                row("prlimit64 pid 1", PRLIMIT64, EPERM, 1, 7, 0, 1234),
                row("prlimit64 another pid", PRLIMIT64, EPERM, 4242, 0, 1234, 0),
                row("prlimit64 -1", PRLIMIT64, EPERM, -1L, 0, 0, 0),
                row("setpriority self", SETPRIORITY, ALLOW, PRIO_PROCESS, 0, 10),
                row("setpriority another pid", SETPRIORITY, EPERM, PRIO_PROCESS, 4242, 10),
                row("setpriority own group", SETPRIORITY, EPERM, prioPgrp, 0, 10),
                row("setpriority own user", SETPRIORITY, EPERM, prioUser, 0, 10),
                row("ioprio_set self", IOPRIO_SET, ALLOW, IOPRIO_WHO_PROCESS, 0, 0x4000),
                row("ioprio_set another pid", IOPRIO_SET, EPERM, IOPRIO_WHO_PROCESS, 4242, 0x4000),
                row("ioprio_set own group", IOPRIO_SET, EPERM, ioprioWhoPgrp, 0, 0x4000),
                row("ioprio_set own user", IOPRIO_SET, EPERM, ioprioWhoUser, 0, 0x4000),
                row("setrlimit (no pid)", SETRLIMIT, ALLOW, 7, 1234),
                row("sched_getaffinity of a thread id (the JVM's own)", SCHED_GETAFFINITY, ALLOW, 4242, 32, 0)));
        for (Syscall call : List.of(SCHED_SETAFFINITY, SCHED_SETSCHEDULER, SCHED_SETPARAM, SCHED_SETATTR)) {
            rows.add(row(call + " self", call, ALLOW, 0, 1, 0));
            rows.add(row(call + " pid 1", call, EPERM, 1, 1, 0));
            rows.add(row(call + " another pid", call, EPERM, 4242, 1, 0));
        }
        check(rows);
    }

    @Test
    void watchesProcessGroupsIpcAndMetadataChangesAreRefusedTheHelpersOwnSessionIsNot() {
        check(List.of(
                row("inotify_add_watch", INOTIFY_ADD_WATCH, EACCES, 3, 0, 0x100),
                row("inotify_init1", INOTIFY_INIT1, ALLOW, 0x80000),
                row("setsid", SETSID, ALLOW),
                row("setpgid", SETPGID, EPERM, 0, 0),
                row("unshare", UNSHARE, EPERM, CLONE_NEWUSER),
                row("setns", SETNS, EPERM, 3, 0),
                row("shmget", SHMGET, EPERM, 1234, 4096, 0),
                row("msgget", MSGGET, EPERM, 1234, 0),
                row("semget", SEMGET, EPERM, 1234, 1, 0),
                row("chmod", CHMOD, EPERM, 0, 0777),
                row("fchmod", FCHMOD, EPERM, 3, 0777),
                row("fchmodat2", FCHMODAT2, EPERM, -100L, 0, 0777, 0),
                row("fchown", FCHOWN, EPERM, 3, 0, 0),
                row("futimens (utimensat on a descriptor)", UTIMENSAT, EPERM, 3, 0, 0, 0),
                row("fsetxattr", FSETXATTR, EPERM, 3, 0, 0, 0, 0),
                row("ptrace", PTRACE, EPERM, 16, 1),
                row("io_uring_setup", IO_URING_SETUP, EPERM, 8, 0),
                row("open_by_handle_at", OPEN_BY_HANDLE_AT, EPERM, 3, 0, 0)));
    }
}
