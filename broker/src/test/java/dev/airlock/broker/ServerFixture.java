package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicySyntaxException;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link RequestServer} over a test's policy with its pre-opened {@link GrantRoots}, closed
 * together, and the assertions the broker's request tests make of its outcomes: denied by the
 * policy for these actions, failed with this errno, a descriptor of that very inode, a broker
 * error, refused as a kernel view. One fixture, so that every request test sets up the broker
 * the way the launcher does and reads an outcome the same way.
 */
final class ServerFixture implements AutoCloseable {
    /** The reason every broker error carries: what the helper shows as an I/O error. */
    static final String INTERNAL_ERROR = "airlock broker: internal error";

    private final String name;
    private final Policy policy;
    private final GrantRoots roots;
    private final RequestServer server;

    private ServerFixture(String name, Policy policy, GrantRoots roots) {
        this.name = name;
        this.policy = policy;
        this.roots = roots;
        this.server = new RequestServer(policy, roots);
    }

    /** Parses the policy, opens its grant roots and starts serving it. */
    static ServerFixture start(PolicyBuilder policy) throws PolicySyntaxException, ErrnoException {
        Policy parsed = policy.build();
        return new ServerFixture(policy.name(), parsed, GrantRoots.open(parsed.fileGrantRoots()));
    }

    Policy policy() {
        return policy;
    }

    GrantRoots roots() {
        return roots;
    }

    RequestServer server() {
        return server;
    }

    RequestServer.Outcome serve(Request request) {
        return server.serve(request);
    }

    RequestServer.Outcome serve(Request request, Fd carried) {
        return server.serve(request, carried);
    }

    /** Serves {@code request}, closes any descriptor it gave, and returns its errno (0: success). */
    int errno(Request request) {
        RequestServer.Outcome outcome = server.serve(request);
        if (outcome.fd() != null) {
            outcome.fd().close();
        }
        return outcome.errno();
    }

    /** The reason a denial of {@code actions} by this policy carries. */
    String denial(String actions) {
        return "denied by airlock policy " + name + ": " + actions;
    }

    /**
     * Asserts the outcome is this policy's denial of exactly {@code actions}: EACCES, the reason
     * (which may go on to name the closest grant; the policy module's tests check that part), no
     * descriptor.
     */
    void assertDenied(String actions, RequestServer.Outcome outcome) {
        assertNull(outcome.fd(), () -> "a denial gives no descriptor: " + outcome);
        assertDenial(actions, outcome.reply(), () -> "outcome " + outcome);
    }

    /** Serves {@code request} and asserts it is denied for {@code actions}. */
    void assertDenied(String actions, Request request) {
        RequestServer.Outcome outcome = server.serve(request);
        if (outcome.fd() != null) {
            outcome.fd().close();
        }
        assertDenial(actions, outcome.reply(), () -> request + " -> " + outcome);
    }

    private void assertDenial(String actions, Reply reply, java.util.function.Supplier<String> what) {
        if (!(reply instanceof Reply.Denied denied)) {
            throw new AssertionError(what.get() + ": not a denial");
        }
        assertEquals(Errno.EACCES, denied.errno(), what);
        String reason = denied.reason();
        String first = denial(actions);
        if (!reason.equals(first)) {
            assertTrue(reason.startsWith(first + " (closest grant: ") && reason.endsWith(")"), what);
        }
    }

    /** Asserts the kernel (or the broker acting as it) refused with {@code errno}: no policy reason, no descriptor. */
    static void assertFailed(int errno, RequestServer.Outcome outcome) {
        assertNull(outcome.fd(), () -> "a failure gives no descriptor: " + outcome);
        assertEquals(new Reply.Failed(errno), outcome.reply(), () -> "outcome " + outcome);
    }

    /** Asserts the outcome is a descriptor of {@code expected} itself (device and inode), and closes it. */
    static void assertDescriptorOf(Path expected, RequestServer.Outcome outcome) throws Exception {
        try (Fd fd = descriptor(outcome)) {
            Linux.Stat stat = Linux.fstat(fd.get());
            assertEquals(Trees.inode(expected), stat.ino(), "inode");
            assertEquals(Trees.device(expected), stat.dev(), "device");
        }
    }

    /** As {@link #assertDescriptorOf}, and the descriptor is O_PATH: neither readable nor writable. */
    static void assertPathDescriptorOf(Path expected, RequestServer.Outcome outcome) throws Exception {
        try (Fd fd = descriptor(outcome)) {
            Linux.Stat stat = Linux.fstat(fd.get());
            assertEquals(Trees.inode(expected), stat.ino(), "inode");
            assertEquals(Trees.device(expected), stat.dev(), "device");
            assertEquals(
                    Linux.O_PATH,
                    Linux.statusFlags(fd.get()) & Linux.O_PATH,
                    "an O_PATH descriptor: neither readable nor writable");
        }
    }

    /** Asserts the outcome is a broker error, never a denial or an errno, with no descriptor. */
    static void assertBrokerError(RequestServer.Outcome outcome) {
        assertEquals(new Reply.BrokerError(INTERNAL_ERROR), outcome.reply());
        assertNull(outcome.fd());
    }

    /** Asserts procfs or sysfs was refused as such ({@link KernelViews#REASON}); closes a descriptor given by mistake. */
    static void assertKernelView(RequestServer.Outcome outcome, String what) {
        if (outcome.fd() != null) {
            outcome.fd().close();
        }
        assertEquals(Errno.EACCES, outcome.errno(), () -> what + ": " + outcome);
        assertEquals(KernelViews.REASON, outcome.reason(), what);
    }

    /** The whole content read from the outcome's descriptor itself, which is then closed. */
    static String read(RequestServer.Outcome outcome) throws Exception {
        int fd = descriptor(outcome).release();
        FileDescriptor descriptor = new FileDescriptor();
        java.lang.reflect.Field field = FileDescriptor.class.getDeclaredField("fd");
        try {
            field.setAccessible(true);
        } catch (RuntimeException notOpen) {
            // Without --add-opens, read it through /proc instead, and close it here.
            try (Fd owned = Fd.adopt(fd)) {
                return Files.readString(Path.of("/proc/self/fd/" + owned.get()), StandardCharsets.UTF_8);
            }
        }
        field.setInt(descriptor, fd);
        try (FileInputStream in = new FileInputStream(descriptor)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Fd descriptor(RequestServer.Outcome outcome) {
        assertNotNull(outcome.fd(), () -> "expected a descriptor, got " + outcome.reply());
        return outcome.fd();
    }

    @Override
    public void close() {
        roots.close();
    }
}
