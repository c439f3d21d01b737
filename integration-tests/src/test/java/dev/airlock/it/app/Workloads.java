package dev.airlock.it.app;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * Ordinary work a Java program does beyond files, run inside the sandbox to show the seccomp
 * allow-list leaves the JVM whole: child processes, many threads, a selector, copies, JShell,
 * and a few things the filter must refuse (a Unix socket, a UDP socket, metadata changes the
 * broker then decides).
 * Like {@link Probe}, each argument is one operation {@code NAME:ARG} answered by one line,
 * {@code OK ...} or {@code EX <exception class>: <message>}.
 */
public final class Workloads {
    private Workloads() {}

    public static void main(String[] args) {
        Probe.answerEach(args, Workloads::run);
    }

    private static String run(String op, String value) throws Exception {
        switch (op) {
            case "child":
                // A shell with a pipeline: jspawnhelper (or vfork), sh's fork, pipe, dup2, exec and wait.
                return child(List.of("/bin/sh", "-c", value.isEmpty() ? "echo hi | cat" : value));
            case "child-java":
                // A second JVM as a child, confined as its parent is: the JVM's own start-up under the filter.
                return child(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Workloads.class.getName(),
                        value.isEmpty() ? "threads:8" : value));
            case "threads":
                return threads(Integer.parseInt(value));
            case "parallel":
                // The common fork-join pool: as many workers as processors, parked and woken by futexes.
                return String.valueOf(LongStream.rangeClosed(1, 5_000_000)
                        .parallel()
                        .map(x -> x % 7)
                        .sum());
            case "selector":
                return selector();
            case "copy":
                return copy(value, false);
            case "copy-attributes":
                return copy(value, true);
            case "jshell":
                return jshell();
            case "chmod":
                Files.setPosixFilePermissions(Path.of(value), PosixFilePermissions.fromString("rwxrwxrwx"));
                return "changed";
            case "touch":
                Files.setLastModifiedTime(Path.of(value), FileTime.fromMillis(0));
                return "changed";
            case "unix-socket":
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    return "opened " + c.isOpen();
                }
            case "udp":
                try (DatagramSocket socket = new DatagramSocket()) {
                    return "opened " + socket.getLocalPort();
                }
            case "tcp-socket":
                // Creating a TCP socket is allowed; what it may reach is Landlock's and the namespace's business.
                try (SocketChannel c = SocketChannel.open()) {
                    return "opened " + c.isOpen();
                }
            case "tcp-listen":
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    return "listening " + server.getLocalPort();
                }
            default:
                throw new IllegalArgumentException("unknown workload " + op);
        }
    }

    private static String child(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = process.waitFor();
        return "exit " + code + " " + out.replace('\n', '|');
    }

    /** Starts {@code count} platform threads that all wait for each other, then sum their work. */
    private static String threads(int count) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(count);
        AtomicLong total = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            Thread t = new Thread(
                    () -> {
                        started.countDown();
                        try {
                            started.await();
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        total.addAndGet(n);
                    },
                    "worker-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return count + " threads " + total.get();
    }

    /** A pipe registered with a selector (epoll and its wakeup), written, selected and read. */
    private static String selector() throws IOException {
        try (Selector selector = Selector.open()) {
            Pipe pipe = Pipe.open();
            try (Pipe.SourceChannel source = pipe.source();
                    Pipe.SinkChannel sink = pipe.sink()) {
                source.configureBlocking(false);
                source.register(selector, SelectionKey.OP_READ);
                selector.wakeup();
                selector.select(1000);
                selector.selectedKeys().clear();
                sink.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                int ready = selector.select(5000);
                ByteBuffer in = ByteBuffer.allocate(16);
                source.read(in);
                return ready + " " + new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
            }
        }
    }

    /**
     * JShell's engine in this JVM: javac compiles each snippet in memory, the classes are defined
     * and run here (the jshell tool's default remote engine needs a listening socket).
     */
    private static String jshell() {
        try (jdk.jshell.JShell shell =
                jdk.jshell.JShell.builder().executionEngine("local").build()) {
            shell.eval("int x = 6 * 7;");
            List<jdk.jshell.SnippetEvent> events = shell.eval("x + \" from jshell\"");
            jdk.jshell.SnippetEvent last = events.get(events.size() - 1);
            return last.exception() != null ? "failed " + last.exception() : last.value();
        }
    }

    /** {@code SOURCE>TARGET}: Files.copy, replacing the target; the copy's content is read back. */
    private static String copy(String value, boolean attributes) throws IOException {
        String[] paths = value.split(">", 2);
        Path source = Path.of(paths[0]);
        Path target = Path.of(paths[1]);
        if (attributes) {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        } else {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return Files.size(target) + " " + Files.readString(target).strip();
    }
}
