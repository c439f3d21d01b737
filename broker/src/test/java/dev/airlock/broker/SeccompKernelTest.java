package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.unix.Seccomp;
import dev.airlock.unix.ThreadConfinement;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real filter in the real kernel: installed on a throwaway thread of this JVM (seccomp binds
 * the calling thread and what it starts), which then does what a program does. Without Landlock
 * or a uid drop, so only the filter can refuse; the table tests ({@link SeccompFilterTest}) cover
 * the rules one by one, this shows the kernel takes the program and ordinary work still runs.
 */
class SeccompKernelTest {
    private interface Work {
        String run() throws Exception;
    }

    /** Runs each piece of work on one thread confined by the filter; the answers, or "EX message". */
    private static List<String> confined(Work... work) throws Exception {
        List<String> answers = new ArrayList<>();
        Throwable[] failure = {null};
        Thread thread = new Thread(() -> {
            try {
                ThreadConfinement.setNoNewPrivs();
                Seccomp.install(Seccomp.prepare(SeccompFilter.program()));
                for (Work w : work) {
                    try {
                        answers.add(w.run());
                    } catch (Exception e) {
                        answers.add("EX " + e.getMessage());
                    }
                }
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        thread.start();
        thread.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        return answers;
    }

    private static String open(SocketChannelFactory factory) throws IOException {
        factory.open().close();
        return "opened";
    }

    private interface SocketChannelFactory {
        java.io.Closeable open() throws IOException;
    }

    @Test
    void socketsOnlyTcp() throws Exception {
        // Load the classes while unconfined: the JDK's own start-up work is not what is tested here.
        SocketChannel.open().close();
        DatagramChannel.open().close();
        List<String> answers = confined(
                () -> open(() -> SocketChannel.open(StandardProtocolFamily.UNIX)),
                () -> open(DatagramChannel::open),
                () -> open(SocketChannel::open),
                () -> open(() -> SocketChannel.open(StandardProtocolFamily.INET6)));
        assertEquals(
                List.of("EX Permission denied", "EX Permission denied", "opened", "opened"),
                answers,
                "unix, udp, tcp4, tcp6");
        assertEquals(
                "opened",
                open(() -> SocketChannel.open(StandardProtocolFamily.UNIX)),
                "the filter binds only the thread that installed it");
    }

    @Test
    void childProcessesThreadsAndFilesWork() throws Exception {
        Path dir = Files.createTempDirectory("airlock-seccomp-");
        try {
            Path file = Files.writeString(dir.resolve("in.txt"), "content");
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
            long modified = Files.getLastModifiedTime(file).toMillis();
            List<String> answers = confined(
                    () -> run("/bin/sh", "-c", "echo hi | cat"),
                    () -> run("/bin/ls", dir.toString()),
                    () -> run("/bin/cat", file.toString()),
                    () -> {
                        Thread t = new Thread(() -> {});
                        t.start();
                        t.join();
                        return "thread";
                    },
                    () -> Files.readString(Files.copy(file, dir.resolve("copy.txt"))),
                    () -> {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxrwxrwx"));
                        return "chmod";
                    },
                    () -> run(
                            "/bin/sh", "-c", "touch -d 2001-01-01 " + file + "; chmod 777 " + file + " 2>&1; echo $?"));
            assertEquals("exit 0: hi", answers.get(0));
            assertEquals("exit 0: in.txt", answers.get(1));
            assertEquals("exit 0: content", answers.get(2));
            assertEquals("thread", answers.get(3));
            assertEquals("content", answers.get(4));
            assertTrue(answers.get(5).contains("Operation not permitted"), "chmod refused: " + answers.get(5));
            assertTrue(
                    answers.get(6).contains("Operation not permitted")
                            && answers.get(6).endsWith("1"),
                    "a child's touch and chmod refused too: " + answers.get(6));
            assertEquals(
                    mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "the mode is unchanged");
            assertEquals(modified, Files.getLastModifiedTime(file).toMillis(), "the times are unchanged");
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return "exit " + process.waitFor() + ": " + out.replace('\n', '|');
    }
}
