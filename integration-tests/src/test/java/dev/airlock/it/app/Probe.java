package dev.airlock.it.app;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The application the integration tests run inside the sandbox: an ordinary Java program that
 * knows nothing of Airlock. Each argument is one operation {@code NAME:PATH}; for each it prints
 * one line, {@code OK <what it read or did>} or {@code EX <exception class>: <message>}, so one
 * helper JVM answers many questions.
 */
public final class Probe {
    private Probe() {}

    public static void main(String[] args) {
        answerEach(args, Probe::run);
    }

    /** One operation of a probe program: what it did or read for {@code NAME:ARG}, or why it failed. */
    public interface Operation {
        String run(String name, String arg) throws Exception;
    }

    /**
     * Runs each argument {@code NAME[:ARG]} as one operation and prints one line for it,
     * {@code ARG OK <answer>} or {@code ARG EX <exception class>: <message>}: the format every
     * probe program of the integration tests answers in.
     */
    public static void answerEach(String[] args, Operation operation) {
        for (String arg : args) {
            int colon = arg.indexOf(':');
            String op = colon < 0 ? arg : arg.substring(0, colon);
            String value = colon < 0 ? "" : arg.substring(colon + 1);
            String result;
            try {
                result = "OK " + operation.run(op, value);
            } catch (Exception e) {
                result = "EX " + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println(arg + " " + result);
            System.out.flush();
        }
    }

    private static final String WRITTEN = "written by probe";

    @SuppressWarnings("AddressSelection") // tcp-bind binds the numeric loopback literal: no name is looked up
    private static String run(String op, String path) throws Exception {
        switch (op) {
            case "fis":
                try (InputStream in = new FileInputStream(path)) {
                    return text(in.readAllBytes());
                }
            case "filereader":
                try (Reader in = new FileReader(path, StandardCharsets.UTF_8)) {
                    char[] buffer = new char[4096];
                    int n = in.read(buffer);
                    return n < 0 ? "" : new String(buffer, 0, n).strip();
                }
            case "raf-r":
                try (RandomAccessFile f = new RandomAccessFile(path, "r")) {
                    byte[] b = new byte[(int) f.length()];
                    f.readFully(b);
                    return text(b);
                }
            case "nio-channel":
                try (SeekableByteChannel c = Files.newByteChannel(Path.of(path))) {
                    ByteBuffer b = ByteBuffer.allocate((int) c.size());
                    while (b.hasRemaining() && c.read(b) > 0) {
                        // read it all
                    }
                    return text(b.array());
                }
            case "nio-inputstream":
                try (InputStream in = Files.newInputStream(Path.of(path))) {
                    return text(in.readAllBytes());
                }
            case "nio-readallbytes":
                return text(Files.readAllBytes(Path.of(path)));
            case "nio-readstring":
                return Files.readString(Path.of(path)).strip();
            case "realpath":
                return Path.of(path).toRealPath().toString();
            case "realpath-nofollow":
                return Path.of(path)
                        .toRealPath(java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        .toString();
            case "nio-filechannel":
                try (FileChannel c = FileChannel.open(Path.of(path), StandardOpenOption.READ)) {
                    ByteBuffer b = ByteBuffer.allocate((int) c.size());
                    c.read(b, 0);
                    return text(b.array());
                }
            case "fos":
                try (OutputStream out = new FileOutputStream(path)) {
                    out.write(WRITTEN.getBytes(StandardCharsets.UTF_8));
                }
                return "wrote";
            case "fos-append":
                try (OutputStream out = new FileOutputStream(path, true)) {
                    out.write(("+" + WRITTEN).getBytes(StandardCharsets.UTF_8));
                }
                return "appended";
            case "filewriter":
                try (Writer out = new FileWriter(path, StandardCharsets.UTF_8)) {
                    out.write(WRITTEN);
                }
                return "wrote";
            case "raf-rw":
            case "raf-rws":
            case "raf-rwd":
                try (RandomAccessFile f = new RandomAccessFile(path, op.substring(4))) {
                    f.setLength(0);
                    f.write(WRITTEN.getBytes(StandardCharsets.UTF_8));
                }
                return "wrote";
            case "nio-outputstream":
                try (OutputStream out = Files.newOutputStream(Path.of(path))) {
                    out.write(WRITTEN.getBytes(StandardCharsets.UTF_8));
                }
                return "wrote";
            case "nio-write":
                Files.write(Path.of(path), WRITTEN.getBytes(StandardCharsets.UTF_8));
                return "wrote";
            case "nio-writestring":
                Files.writeString(Path.of(path), WRITTEN);
                return "wrote";
            case "nio-filechannel-write":
                try (FileChannel c = FileChannel.open(
                        Path.of(path),
                        StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    c.write(ByteBuffer.wrap(WRITTEN.getBytes(StandardCharsets.UTF_8)));
                }
                return "wrote";
            case "nio-mkdir":
                Files.createDirectory(Path.of(path));
                return "created";
            case "nio-delete":
                Files.delete(Path.of(path));
                return "deleted";
            case "nio-move":
                Files.move(Path.of(path), Path.of(path + ".moved"));
                return "moved";
            case "nio-chmod":
                Files.setPosixFilePermissions(
                        Path.of(path), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                return "changed";
            case "property":
                return System.getProperty(path);
            case "status":
                return status();
            case "fds":
                return descriptors();
            case "cmdline":
                // The helper's JVM command line as the kernel has it: options, agent arguments, main.
                return new String(
                                java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline")),
                                StandardCharsets.UTF_8)
                        .replace('\0', '|');
            case "props":
                return Runtime.getRuntime().availableProcessors() + " "
                        + Runtime.getRuntime().maxMemory() + " "
                        + java.util.TimeZone.getDefault().getID() + " " + System.getProperty("user.name") + " "
                        + System.getProperty("user.home");
            case "exit":
                System.exit(Integer.parseInt(path));
                return "unreachable";
            case "wait":
                // Blocks until a line arrives on stdin: lets a test act on the running broker or helper.
                System.out.println("waiting");
                System.out.flush();
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return "resumed";
            case "pause":
                // Announces itself, then sleeps: a window in which a test acts on the broker.
                System.out.println("paused");
                System.out.flush();
                Thread.sleep(Long.parseLong(path));
                return "resumed";
            case "sleep":
                Thread.sleep(Long.parseLong(path));
                return "slept";
            case "unix-socket":
                // A pathname Unix socket of another service is not a file open Landlock sees: seccomp refuses the
                // socket.
                try (java.nio.channels.SocketChannel c =
                        java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                    return "opened " + c.isOpen();
                }
            case "tcp-connect":
                try (java.net.Socket socket = new java.net.Socket()) {
                    int colon = path.lastIndexOf(':');
                    socket.connect(
                            new java.net.InetSocketAddress(
                                    path.substring(0, colon), Integer.parseInt(path.substring(colon + 1))),
                            5000);
                    return "connected";
                }
            case "tcp-bind":
                try (java.net.ServerSocket server = new java.net.ServerSocket()) {
                    server.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
                    return "bound";
                }
            case "child-raw":
                return RawChannel.fromChild(path);
            case "raw":
                return RawChannel.send(path);
            default:
                throw new IllegalArgumentException("unknown probe operation " + op);
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    /** Uid, gid, groups, no_new_privs, seccomp mode and effective capabilities, from /proc/self/status. */
    private static String status() throws IOException {
        List<String> wanted = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (String key : new String[] {"Uid:", "Gid:", "Groups:", "NoNewPrivs:", "Seccomp:", "CapEff:"}) {
                if (line.startsWith(key)) {
                    wanted.add(line.replaceAll("\\s+", " ").strip());
                }
            }
        }
        return String.join("|", wanted);
    }

    /** Every open descriptor and what it names. */
    /**
     * This process's open descriptors and what each names, {@code N=TARGET|...}. A descriptor that
     * closes between the listing and its readlink was opened by this JVM's own threads (the broker
     * check, class loading), never inherited, since nothing here closes an inherited one; such a
     * listing is taken again, up to a few times, and only the last one may show it as {@code N=?}.
     */
    private static String descriptors() throws IOException {
        List<String> out = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            out.clear();
            boolean vanished = false;
            try (var stream = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path fd : stream) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException e) {
                        target = "?";
                        vanished = true;
                    }
                    out.add(fd.getFileName() + "=" + target);
                }
            }
            if (!vanished) {
                break;
            }
        }
        out.sort(null);
        return String.join("|", out);
    }
}
