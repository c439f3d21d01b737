package dev.airlock.broker;

import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The helper's descriptor table as the broker reaches it: a pidfd opened on the helper right
 * after its spawn, through which {@link #take} copies the descriptor a request names
 * ({@code pidfd_getfd(2)}). This replaces SCM_RIGHTS from the helper, so that the helper never
 * needs {@code sendmsg(2)} and its seccomp filter refuses it (docs/ARCHITECTURE.md, "The
 * network").
 *
 * <p>The pidfd names the helper process itself, so a number always means the helper's own table:
 * a recycled pid cannot redirect it, and {@link RequestLoop} serves only messages whose kernel
 * credentials are the helper's (a child of the helper has its own table and pid; seccomp refuses
 * the helper a thread with a table of its own). The kernel allows the copy as it allows ptrace:
 * the broker as root has CAP_SYS_PTRACE; as a normal user it is the helper's parent, of the same
 * user, and the helper stays dumpable (seccomp refuses it {@code PR_SET_DUMPABLE}). A Yama ptrace
 * scope of 2 or 3 refuses a normal user's broker: {@link #attach} finds that out before the
 * program runs and refuses to start with what to change.
 */
final class HelperDescriptors implements AutoCloseable {
    /** Where Yama, when the kernel has it, keeps its ptrace scope. */
    static final Path YAMA_SCOPE = Path.of("/proc/sys/kernel/yama/ptrace_scope");

    private final Fd pidfd;

    private HelperDescriptors(Fd pidfd) {
        this.pidfd = pidfd;
    }

    /**
     * The descriptors of process {@code pid}, without a check that they can be taken: for the
     * broker's tests, whose "helper" is the test process itself. {@link #attach} for a helper.
     */
    static HelperDescriptors open(int pid) throws ErrnoException {
        return new HelperDescriptors(Processes.pidfdOpen(pid));
    }

    /**
     * The descriptors of the helper {@code pid}, just spawned with the broker channel at
     * {@code channel}, after taking that one as a probe: a broker that may not take the helper's
     * descriptors could serve none of its sockets and watches, so it refuses to start. Any other
     * failure of the probe (EBADF, ESRCH) means the helper is already gone, a JVM that refused its
     * options at once: the broker goes on, so that its reaper reports the helper's own status, and
     * every later take would fail the same way.
     *
     * @throws AirlockException when the kernel refuses (EPERM), saying why and what to change
     * @throws ErrnoException when the pidfd cannot be opened
     */
    static HelperDescriptors attach(int pid, HelperDescriptor channel) throws AirlockException, ErrnoException {
        HelperDescriptors descriptors = open(pid);
        try {
            descriptors.take(channel).close();
            return descriptors;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM) {
                return descriptors;
            }
            descriptors.close();
            throw new AirlockException(ExitCodes.SANDBOX_UNAVAILABLE, refusal(yamaScope()));
        }
    }

    /**
     * A copy of the helper's descriptor {@code number}, owned by the caller (close-on-exec).
     *
     * @throws ErrnoException EBADF when the helper has no such descriptor open, EPERM when the
     *     kernel does not let the broker take it, ESRCH once the helper has exited
     */
    Fd take(HelperDescriptor descriptor) throws ErrnoException {
        return Processes.takeDescriptor(pidfd, descriptor.number());
    }

    @Override
    public void close() {
        pidfd.close();
    }

    /** The Yama ptrace scope, or -1 when the kernel has no Yama or it cannot be read. */
    static int yamaScope() {
        try {
            return Integer.parseInt(
                    Files.readString(YAMA_SCOPE, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Why the broker may not take its helper's descriptors, for a Yama {@code scope} (-1: none). */
    static String refusal(int scope) {
        String start = "the kernel does not let the broker take its helper's descriptors (pidfd_getfd: EPERM), which"
                + " it needs to serve the program's sockets and file watches: ";
        return switch (scope) {
            case 2 ->
                start + "Yama's ptrace scope is 2 (" + YAMA_SCOPE + "), which allows it only to a process with"
                        + " CAP_SYS_PTRACE: run airlock as root, or set the scope to 1";
            case 3 ->
                start + "Yama's ptrace scope is 3 (" + YAMA_SCOPE + "), which allows it to no process until the"
                        + " next boot";
            default ->
                start + (scope < 0 ? "no Yama ptrace scope is in force" : "Yama's ptrace scope is " + scope)
                        + "; a security module or the helper's credentials refused it";
        };
    }
}
