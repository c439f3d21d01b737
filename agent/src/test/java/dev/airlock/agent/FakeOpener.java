package dev.airlock.agent;

import dev.airlock.helper.Answer;
import dev.airlock.helper.OperationFailedException;
import dev.airlock.helper.PolicyDeniedException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * A stand-in broker for the tests' child JVMs, driven by rules keyed by absolute path:
 *
 * <ul>
 *   <li>{@code sub.PATH=REAL}: open REAL instead, directly, with the requested flags, and hand
 *       over its descriptor (a directory is refused with EISDIR when asked to);
 *   <li>{@code deny.PATH=REASON}: a policy denial with the policy's REASON;
 *   <li>{@code errno.PATH=N}: fail with errno N;
 *   <li>{@code gone.PATH=MESSAGE}: the broker is unreachable;
 *   <li>anything else: EISDIR for a directory when refused, else ENOENT.
 * </ul>
 *
 * <p>Every request is appended to the file named by {@code log} as
 * {@code open PATH flags=OCTAL mode=OCTAL refuseDirectory=BOOL}.
 */
final class FakeOpener implements Opener {

    static final int ENOENT = 2;
    static final int EISDIR = 21;

    private final Properties rules;
    private final PrintStream log;

    FakeOpener(Properties rules) throws IOException {
        this.rules = rules;
        String logFile = rules.getProperty("log");
        // Opened before the agent is installed, so writing it never goes through the agent.
        this.log = logFile == null
                ? null
                : new PrintStream(new FileOutputStream(logFile, true), true, StandardCharsets.UTF_8);
    }

    @Override
    public Answer send(Request request) throws IOException {
        String path = request instanceof Request.FileRequest file
                ? new String(file.path().bytes(), StandardCharsets.UTF_8)
                : request.toString();
        if (!(request instanceof Request.Open open)) {
            // An opener that serves only opens answers as a kernel without the call would.
            throw new OperationFailedException(path, Errno.ENOSYS);
        }
        int fd = open(path, open.openFlags(), open.mode(), open.refuseDirectory());
        return new Answer(new Reply.Descriptor(), fd);
    }

    private synchronized int open(String path, int flags, int mode, boolean refuseDirectory) throws IOException {
        if (log != null) {
            log.println("open " + path + " flags=" + Integer.toOctalString(flags) + " mode="
                    + Integer.toOctalString(mode) + " refuseDirectory=" + refuseDirectory);
        }
        String deny = rules.getProperty("deny." + path);
        if (deny != null) {
            throw new PolicyDeniedException(path, Errno.EACCES, deny);
        }
        String gone = rules.getProperty("gone." + path);
        if (gone != null) {
            throw new IOException(gone);
        }
        String errno = rules.getProperty("errno." + path);
        if (errno != null) {
            throw new OperationFailedException(path, Integer.parseInt(errno));
        }
        String sub = rules.getProperty("sub." + path);
        Path target = Path.of(sub != null ? sub : path);
        if (refuseDirectory && Files.isDirectory(target)) {
            throw new OperationFailedException(path, EISDIR);
        }
        if (sub == null) {
            throw new OperationFailedException(path, ENOENT);
        }
        try {
            return detach(FileChannel.open(target, options(flags)));
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot take the descriptor out of a channel", e);
        }
    }

    /** The open options that make the JDK pass {@code flags} to open(2). */
    private static Set<OpenOption> options(int flags) {
        Set<OpenOption> options = new HashSet<>();
        int access = flags & 3;
        if (access == Router.O_RDONLY || access == Router.O_RDWR) {
            options.add(StandardOpenOption.READ);
        }
        if (access == Router.O_WRONLY || access == Router.O_RDWR) {
            options.add(StandardOpenOption.WRITE);
        }
        if ((flags & Router.O_APPEND) != 0) {
            options.add(StandardOpenOption.APPEND);
        }
        if ((flags & Router.O_TRUNC) != 0) {
            options.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        if ((flags & Router.O_CREAT) != 0) {
            options.add(StandardOpenOption.CREATE);
        }
        if ((flags & Router.O_SYNC) == Router.O_SYNC) {
            options.add(StandardOpenOption.SYNC);
        } else if ((flags & Router.O_DSYNC) != 0) {
            options.add(StandardOpenOption.DSYNC);
        }
        return options;
    }

    /**
     * Takes the descriptor out of {@code channel}: reads the int, then sets the channel's
     * FileDescriptor to -1 (which also drops any cleanup), so that neither closing nor collecting
     * the channel closes the descriptor now owned by the caller.
     */
    private static int detach(FileChannel channel) throws ReflectiveOperationException {
        Field fdField = channel.getClass().getDeclaredField("fd");
        fdField.setAccessible(true);
        FileDescriptor fd = (FileDescriptor) fdField.get(channel);
        Field intField = FileDescriptor.class.getDeclaredField("fd");
        intField.setAccessible(true);
        int n = intField.getInt(fd);
        Method set = FileDescriptor.class.getDeclaredMethod("set", int.class);
        set.setAccessible(true);
        set.invoke(fd, -1);
        return n;
    }
}
