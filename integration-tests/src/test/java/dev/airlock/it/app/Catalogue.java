package dev.airlock.it.app;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Scanner;
import java.util.Set;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The catalogue of JDK file entry points: one {@link Entry} per public way an ordinary program
 * reaches a file, each with the fixture it needs and the single call it makes. The integration
 * test creates every entry's fixture, then runs this program once unconfined and twice inside
 * Airlock (under a policy granting the fixtures and one granting nothing there) and compares the
 * lines: granted, Airlock must be invisible; denied, each entry must fail as the JDK fails on a
 * file the process may not see, and reveal nothing of what it could not see.
 *
 * <p>Usage: {@code Catalogue BASE [NAME...]}. Each entry works in {@code BASE/NAME}; one line per
 * entry, {@code NAME RESULT}, with {@code BASE} printed as {@code $DIR} so runs on different base
 * directories compare equal. A result is what the call returned, made deterministic (sorted
 * listings, no times but ones an entry or fixture set, no owners or inode numbers), or
 * {@code EX <exception class>: <message>}. Run with {@code -Djava.io.tmpdir=BASE}: an entry that
 * makes a file in the default temporary directory prefixes it with its own name, so the test can
 * tell whose it is.
 */
public final class Catalogue {
    /**
     * In every fixture file's content and in every name only a listing can tell: a denied line
     * containing it has revealed something it must not. Never part of a name an entry opens.
     */
    public static final String SECRET = "s3cret";
    /** Modification times before this were set on purpose, by a fixture or an entry; later ones are the run's own. */
    public static final long EXPLICIT_TIMES_BEFORE = 978_307_200_000L;

    /**
     * Plugin by name: a class literal would make this class load it from the application's class
     * path, where it is not, instead of leaving it to the fixture's jar.
     */
    static final String PLUGIN = "dev.airlock.it.app.Plugin";

    static final String CONTENT = SECRET + " line one\n" + SECRET + " line two\n";
    static final String WRITTEN = "written by the catalogue\n";
    /** Set by fixtures before a run (1985-11-05, whole seconds). */
    static final FileTime FIXTURE_TIME = FileTime.fromMillis(500_000_000_000L);
    /** Set by entries during a run (1989-01-05, whole seconds). */
    static final long ENTRY_MILLIS = 600_000_000_000L;

    // The JDK's answers, without a SecurityManager, for a file the process may not see (its
    // directory refuses search). Streams of java.io report FileNotFoundException, NIO reports
    // AccessDeniedException, and java.io.File's boolean, long and array methods answer false, 0 and null.
    // Entries whose JDK answer is another say why next to it; all were checked against JDK 17 and 25
    // run as nobody on fixtures under a root-owned mode-700 directory.
    static final String FNFE = "EX java.io.FileNotFoundException";
    static final String ADE = "EX java.nio.file.AccessDeniedException";
    static final String IOE = "EX java.io.IOException";

    private Catalogue() {}

    /** Creates an entry's fixture in its own, already existing, directory. Runs in the test's JVM. */
    @FunctionalInterface
    public interface Setup {
        void create(Path dir) throws Exception;
    }

    /** Makes the entry's one call on its fixture and says what it got. Runs in the catalogue's JVM. */
    @FunctionalInterface
    public interface Action {
        String run(Path dir) throws Exception;
    }

    /**
     * One entry point: its name (also its directory's name), fixture, call, and the start of the
     * line it must print when the policy grants nothing in its directory.
     */
    public record Entry(String name, Setup setup, Action run, String deniedExpectation) {}

    public static void main(String[] args) {
        Path base = Path.of(args[0]);
        Set<String> only = new HashSet<>(Arrays.asList(args).subList(1, args.length));
        for (Entry entry : entries()) {
            if (!only.isEmpty() && !only.contains(entry.name())) {
                continue;
            }
            String result;
            try {
                result = entry.run().run(base.resolve(entry.name()));
            } catch (Throwable t) {
                // Any failure, even an Error, is this entry's answer: the next entry still runs.
                result = "EX " + t.getClass().getName() + ": " + t.getMessage();
            }
            String line = entry.name() + " " + String.valueOf(result).replace(base.toString(), "$DIR");
            System.out.println(line.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"));
            System.out.flush();
        }
    }

    /** Every entry, in a fixed order; names are unique and contain no spaces. */
    public static List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        all.addAll(javaIoStreams());
        all.addAll(javaIoFile());
        all.addAll(filesReadAndWrite());
        all.addAll(filesMetadata());
        all.addAll(filesMutation());
        all.addAll(filesListing());
        all.addAll(channels());
        all.addAll(archives());
        all.addAll(urlsAndProperties());
        return all;
    }

    private static List<Entry> javaIoStreams() {
        return List.of(
                new Entry(
                        "FileInputStream.String",
                        Catalogue::content,
                        d -> {
                            try (InputStream in =
                                    new FileInputStream(d.resolve("in.txt").toString())) {
                                return text(in.readAllBytes());
                            }
                        },
                        FNFE),
                new Entry(
                        "FileInputStream.File",
                        Catalogue::content,
                        d -> {
                            try (InputStream in =
                                    new FileInputStream(d.resolve("in.txt").toFile())) {
                                return text(in.readAllBytes());
                            }
                        },
                        FNFE),
                new Entry(
                        "FileOutputStream.create",
                        Catalogue::nothing,
                        d -> {
                            try (OutputStream out =
                                    new FileOutputStream(d.resolve("out.txt").toFile())) {
                                out.write(bytes(WRITTEN));
                            }
                            return "wrote";
                        },
                        FNFE),
                new Entry(
                        "FileOutputStream.truncate",
                        Catalogue::content,
                        d -> {
                            try (OutputStream out =
                                    new FileOutputStream(d.resolve("in.txt").toString())) {
                                out.write(bytes(WRITTEN));
                            }
                            return "wrote";
                        },
                        FNFE),
                new Entry(
                        "FileOutputStream.append",
                        Catalogue::content,
                        d -> {
                            try (OutputStream out =
                                    new FileOutputStream(d.resolve("in.txt").toFile(), true)) {
                                out.write(bytes(WRITTEN));
                            }
                            return "appended";
                        },
                        FNFE),
                new Entry(
                        "FileReader",
                        Catalogue::content,
                        d -> {
                            try (Reader in = new FileReader(d.resolve("in.txt").toFile(), StandardCharsets.UTF_8)) {
                                return read(in);
                            }
                        },
                        FNFE),
                new Entry(
                        "FileWriter.create",
                        Catalogue::nothing,
                        d -> {
                            try (FileWriter out =
                                    new FileWriter(d.resolve("out.txt").toFile(), StandardCharsets.UTF_8)) {
                                out.write(WRITTEN);
                            }
                            return "wrote";
                        },
                        FNFE),
                new Entry(
                        "FileWriter.append",
                        Catalogue::content,
                        d -> {
                            try (FileWriter out =
                                    new FileWriter(d.resolve("in.txt").toFile(), StandardCharsets.UTF_8, true)) {
                                out.write(WRITTEN);
                            }
                            return "appended";
                        },
                        FNFE),
                new Entry(
                        "PrintWriter.File",
                        Catalogue::nothing,
                        d -> {
                            // PrintWriter swallows write errors: checkError says whether the descriptor took the bytes.
                            try (PrintWriter out =
                                    new PrintWriter(d.resolve("out.txt").toFile(), StandardCharsets.UTF_8)) {
                                out.print(WRITTEN);
                                return "printed, error " + out.checkError();
                            }
                        },
                        FNFE),
                new Entry(
                        "PrintWriter.String",
                        Catalogue::nothing,
                        d -> {
                            try (PrintWriter out =
                                    new PrintWriter(d.resolve("out.txt").toString(), StandardCharsets.UTF_8)) {
                                out.print(WRITTEN);
                                return "printed, error " + out.checkError();
                            }
                        },
                        FNFE),
                new Entry(
                        "PrintStream.File",
                        Catalogue::nothing,
                        d -> {
                            try (PrintStream out =
                                    new PrintStream(d.resolve("out.txt").toFile(), StandardCharsets.UTF_8)) {
                                out.print(WRITTEN);
                                return "printed, error " + out.checkError();
                            }
                        },
                        FNFE),
                new Entry(
                        "Scanner.File",
                        d -> write(d, "in.txt", SECRET + " 42\n"),
                        d -> {
                            try (Scanner in = new Scanner(d.resolve("in.txt").toFile(), StandardCharsets.UTF_8)) {
                                return in.next() + " " + in.nextInt();
                            }
                        },
                        FNFE),
                // Scanner(Path) opens through Files.newInputStream: the NIO exception, not java.io's.
                new Entry(
                        "Scanner.Path",
                        d -> write(d, "in.txt", SECRET + " 42\n"),
                        d -> {
                            try (Scanner in = new Scanner(d.resolve("in.txt"), StandardCharsets.UTF_8)) {
                                return in.next() + " " + in.nextInt();
                            }
                        },
                        ADE),
                new Entry(
                        "RandomAccessFile.r",
                        Catalogue::content,
                        d -> {
                            try (RandomAccessFile f =
                                    new RandomAccessFile(d.resolve("in.txt").toFile(), "r")) {
                                byte[] b = new byte[(int) f.length()];
                                f.readFully(b);
                                return text(b);
                            }
                        },
                        FNFE),
                new Entry(
                        "RandomAccessFile.rw.create",
                        Catalogue::nothing,
                        d -> {
                            try (RandomAccessFile f =
                                    new RandomAccessFile(d.resolve("out.txt").toString(), "rw")) {
                                f.write(bytes(WRITTEN));
                                return "length " + f.length();
                            }
                        },
                        FNFE),
                new Entry(
                        "RandomAccessFile.rw.setLength",
                        Catalogue::content,
                        d -> {
                            try (RandomAccessFile f =
                                    new RandomAccessFile(d.resolve("in.txt").toFile(), "rw")) {
                                f.setLength(SECRET.length());
                                return "length " + f.length();
                            }
                        },
                        FNFE),
                new Entry(
                        "RandomAccessFile.rws",
                        Catalogue::content,
                        d -> {
                            try (RandomAccessFile f =
                                    new RandomAccessFile(d.resolve("in.txt").toFile(), "rws")) {
                                f.seek(f.length());
                                f.write(bytes(WRITTEN));
                                return "length " + f.length();
                            }
                        },
                        FNFE),
                new Entry(
                        "RandomAccessFile.rwd",
                        Catalogue::content,
                        d -> {
                            try (RandomAccessFile f =
                                    new RandomAccessFile(d.resolve("in.txt").toFile(), "rwd")) {
                                f.write(bytes(WRITTEN));
                                f.setLength(WRITTEN.length());
                                return "length " + f.length();
                            }
                        },
                        FNFE));
    }

    private static List<Entry> javaIoFile() {
        return List.of(
                new Entry(
                        "File.exists",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").exists()),
                        "false"),
                new Entry(
                        "File.isFile",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").isFile()),
                        "false"),
                new Entry(
                        "File.isDirectory",
                        d -> Files.createDirectory(d.resolve("sub")),
                        d -> String.valueOf(file(d, "sub").isDirectory()),
                        "false"),
                // On Unix a leading dot is what makes a file hidden: the JDK answers true from the name alone, even
                // for a file it cannot see, so here the denied answer is the granted one and reveals nothing.
                new Entry(
                        "File.isHidden",
                        d -> write(d, ".hidden", CONTENT),
                        d -> String.valueOf(file(d, ".hidden").isHidden()),
                        "true"),
                new Entry(
                        "File.canRead",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").canRead()),
                        "false"),
                new Entry(
                        "File.canWrite",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").canWrite()),
                        "false"),
                new Entry(
                        "File.canExecute",
                        Catalogue::executable,
                        d -> String.valueOf(file(d, "run.sh").canExecute()),
                        "false"),
                new Entry(
                        "File.length",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").length()),
                        "0"),
                new Entry(
                        "File.lastModified",
                        d -> Files.setLastModifiedTime(content(d), FIXTURE_TIME),
                        d -> String.valueOf(file(d, "in.txt").lastModified()),
                        "0"),
                new Entry(
                        "File.createNewFile",
                        Catalogue::nothing,
                        d -> String.valueOf(file(d, "new.txt").createNewFile()),
                        IOE),
                new Entry(
                        "File.delete.file",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").delete()),
                        "false"),
                new Entry(
                        "File.delete.dir",
                        d -> Files.createDirectory(d.resolve("sub")),
                        d -> String.valueOf(file(d, "sub").delete()),
                        "false"),
                new Entry(
                        "File.list", Catalogue::children, d -> names(d.toFile().list()), "null"),
                new Entry(
                        "File.list.FilenameFilter",
                        Catalogue::children,
                        d -> names(d.toFile().list((dir, name) -> name.endsWith(".txt"))),
                        "null"),
                new Entry(
                        "File.listFiles",
                        Catalogue::children,
                        d -> names(d.toFile().listFiles()),
                        "null"),
                new Entry(
                        "File.listFiles.FileFilter",
                        Catalogue::children,
                        d -> names(d.toFile().listFiles(File::isFile)),
                        "null"),
                new Entry(
                        "File.listFiles.FilenameFilter",
                        Catalogue::children,
                        d -> names(d.toFile().listFiles((dir, name) -> name.endsWith(".txt"))),
                        "null"),
                new Entry(
                        "File.mkdir",
                        Catalogue::nothing,
                        d -> String.valueOf(file(d, "new").mkdir()),
                        "false"),
                new Entry(
                        "File.mkdirs",
                        Catalogue::nothing,
                        d -> String.valueOf(file(d, "a/b/c").mkdirs()),
                        "false"),
                new Entry(
                        "File.renameTo",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").renameTo(file(d, "renamed.txt"))),
                        "false"),
                new Entry(
                        "File.setLastModified",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").setLastModified(ENTRY_MILLIS)),
                        "false"),
                new Entry(
                        "File.setReadOnly",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").setReadOnly()),
                        "false"),
                new Entry(
                        "File.setWritable",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").setWritable(false)),
                        "false"),
                new Entry(
                        "File.setReadable",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").setReadable(false, false)),
                        "false"),
                new Entry(
                        "File.setExecutable",
                        Catalogue::content,
                        d -> String.valueOf(file(d, "in.txt").setExecutable(true, false)),
                        "false"),
                // The sizes are the machine's, not the fixture's: only whether the call saw a file system.
                new Entry(
                        "File.getTotalSpace",
                        Catalogue::nothing,
                        d -> String.valueOf(d.toFile().getTotalSpace() > 0),
                        "false"),
                new Entry(
                        "File.getFreeSpace",
                        Catalogue::nothing,
                        d -> String.valueOf(d.toFile().getFreeSpace() > 0),
                        "false"),
                new Entry(
                        "File.getUsableSpace",
                        Catalogue::nothing,
                        d -> String.valueOf(d.toFile().getUsableSpace() > 0),
                        "false"),
                new Entry(
                        "File.createTempFile.dir",
                        Catalogue::nothing,
                        d -> temp(
                                File.createTempFile("tmp-", ".txt", d.toFile()).toPath()),
                        IOE),
                // In java.io.tmpdir, which every run sets to the fixtures' base directory; the prefix names the entry.
                new Entry(
                        "File.createTempFile.tmpdir",
                        Catalogue::nothing,
                        d -> temp(File.createTempFile(d.getFileName() + ".tmp-", ".txt")
                                .toPath()),
                        IOE),
                new Entry(
                        "File.getCanonicalPath",
                        Catalogue::secretLink,
                        d -> file(d, "link").getCanonicalPath(),
                        "$DIR/File.getCanonicalPath/link"));
    }

    private static List<Entry> filesReadAndWrite() {
        return List.of(
                new Entry(
                        "Files.newInputStream",
                        Catalogue::content,
                        d -> {
                            try (InputStream in = Files.newInputStream(d.resolve("in.txt"))) {
                                return text(in.readAllBytes());
                            }
                        },
                        ADE),
                new Entry(
                        "Files.newOutputStream",
                        Catalogue::nothing,
                        d -> {
                            try (OutputStream out = Files.newOutputStream(d.resolve("out.txt"))) {
                                out.write(bytes(WRITTEN));
                            }
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.newOutputStream.CREATE_NEW",
                        Catalogue::nothing,
                        d -> {
                            try (OutputStream out =
                                    Files.newOutputStream(d.resolve("out.txt"), StandardOpenOption.CREATE_NEW)) {
                                out.write(bytes(WRITTEN));
                            }
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.newOutputStream.APPEND",
                        Catalogue::content,
                        d -> {
                            try (OutputStream out =
                                    Files.newOutputStream(d.resolve("in.txt"), StandardOpenOption.APPEND)) {
                                out.write(bytes(WRITTEN));
                            }
                            return "appended";
                        },
                        ADE),
                new Entry(
                        "Files.newOutputStream.TRUNCATE_EXISTING",
                        Catalogue::content,
                        d -> {
                            try (OutputStream out = Files.newOutputStream(
                                    d.resolve("in.txt"),
                                    StandardOpenOption.WRITE,
                                    StandardOpenOption.TRUNCATE_EXISTING)) {
                                out.write(bytes(WRITTEN));
                            }
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.newByteChannel.read",
                        Catalogue::content,
                        d -> {
                            try (SeekableByteChannel c = Files.newByteChannel(d.resolve("in.txt"))) {
                                ByteBuffer b = ByteBuffer.allocate((int) c.size());
                                while (b.hasRemaining() && c.read(b) > 0) {
                                    // until the buffer is full
                                }
                                return text(b.array());
                            }
                        },
                        ADE),
                new Entry(
                        "Files.newByteChannel.write",
                        Catalogue::nothing,
                        d -> {
                            try (SeekableByteChannel c = Files.newByteChannel(
                                    d.resolve("out.txt"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                                c.write(ByteBuffer.wrap(bytes(WRITTEN)));
                                return "position " + c.position();
                            }
                        },
                        ADE),
                new Entry(
                        "Files.newBufferedReader",
                        Catalogue::content,
                        d -> {
                            try (BufferedReader in = Files.newBufferedReader(d.resolve("in.txt"))) {
                                return in.readLine();
                            }
                        },
                        ADE),
                new Entry(
                        "Files.newBufferedWriter",
                        Catalogue::nothing,
                        d -> {
                            try (BufferedWriter out = Files.newBufferedWriter(d.resolve("out.txt"))) {
                                out.write(WRITTEN);
                            }
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.readAllBytes",
                        Catalogue::content,
                        d -> text(Files.readAllBytes(d.resolve("in.txt"))),
                        ADE),
                new Entry(
                        "Files.readAllLines",
                        Catalogue::content,
                        d -> String.join("|", Files.readAllLines(d.resolve("in.txt"))),
                        ADE),
                new Entry("Files.readString", Catalogue::content, d -> Files.readString(d.resolve("in.txt")), ADE),
                // Files.lines opens the file before it returns: the IOException is thrown, not wrapped.
                new Entry(
                        "Files.lines",
                        Catalogue::content,
                        d -> {
                            try (Stream<String> lines = Files.lines(d.resolve("in.txt"))) {
                                return lines.collect(Collectors.joining("|"));
                            }
                        },
                        ADE),
                new Entry(
                        "Files.write.bytes",
                        Catalogue::nothing,
                        d -> {
                            Files.write(d.resolve("out.txt"), bytes(WRITTEN));
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.write.lines",
                        Catalogue::content,
                        d -> {
                            Files.write(d.resolve("in.txt"), List.of("first", "second"));
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.writeString",
                        Catalogue::nothing,
                        d -> {
                            Files.writeString(d.resolve("out.txt"), WRITTEN);
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "Files.writeString.APPEND",
                        Catalogue::content,
                        d -> {
                            Files.writeString(d.resolve("in.txt"), WRITTEN, StandardOpenOption.APPEND);
                            return "appended";
                        },
                        ADE),
                new Entry(
                        "Files.mismatch",
                        d -> {
                            content(d);
                            write(d, "same.txt", CONTENT);
                        },
                        d -> String.valueOf(Files.mismatch(d.resolve("in.txt"), d.resolve("same.txt"))),
                        ADE));
    }

    private static List<Entry> filesMetadata() {
        return List.of(
                new Entry(
                        "Files.exists",
                        Catalogue::content,
                        d -> String.valueOf(Files.exists(d.resolve("in.txt"))),
                        "false"),
                // On a missing file: notExists is true only when the JDK could tell, so false when it could not look.
                new Entry(
                        "Files.notExists",
                        Catalogue::nothing,
                        d -> String.valueOf(Files.notExists(d.resolve("missing.txt"))),
                        "false"),
                new Entry(
                        "Files.isRegularFile",
                        Catalogue::content,
                        d -> String.valueOf(Files.isRegularFile(d.resolve("in.txt"))),
                        "false"),
                new Entry(
                        "Files.isDirectory",
                        d -> Files.createDirectory(d.resolve("sub")),
                        d -> String.valueOf(Files.isDirectory(d.resolve("sub"))),
                        "false"),
                new Entry(
                        "Files.isSymbolicLink",
                        Catalogue::secretLink,
                        d -> String.valueOf(Files.isSymbolicLink(d.resolve("link"))),
                        "false"),
                new Entry(
                        "Files.isReadable",
                        Catalogue::content,
                        d -> String.valueOf(Files.isReadable(d.resolve("in.txt"))),
                        "false"),
                new Entry(
                        "Files.isWritable",
                        Catalogue::content,
                        d -> String.valueOf(Files.isWritable(d.resolve("in.txt"))),
                        "false"),
                new Entry(
                        "Files.isExecutable",
                        Catalogue::executable,
                        d -> String.valueOf(Files.isExecutable(d.resolve("run.sh"))),
                        "false"),
                new Entry(
                        "Files.isSameFile",
                        d -> {
                            content(d);
                            Files.createSymbolicLink(d.resolve("link"), Path.of("in.txt"));
                        },
                        d -> String.valueOf(Files.isSameFile(d.resolve("in.txt"), d.resolve("link"))),
                        ADE),
                new Entry("Files.size", Catalogue::content, d -> String.valueOf(Files.size(d.resolve("in.txt"))), ADE),
                new Entry(
                        "Files.getLastModifiedTime",
                        d -> Files.setLastModifiedTime(content(d), FIXTURE_TIME),
                        d -> Files.getLastModifiedTime(d.resolve("in.txt")).toString(),
                        ADE),
                new Entry(
                        "Files.setLastModifiedTime",
                        Catalogue::content,
                        d -> {
                            Files.setLastModifiedTime(d.resolve("in.txt"), FileTime.fromMillis(ENTRY_MILLIS));
                            return "set";
                        },
                        ADE),
                new Entry(
                        "Files.getFileAttributeView.setTimes",
                        Catalogue::content,
                        d -> {
                            BasicFileAttributeView view =
                                    Files.getFileAttributeView(d.resolve("in.txt"), BasicFileAttributeView.class);
                            view.setTimes(FileTime.fromMillis(ENTRY_MILLIS), FileTime.fromMillis(ENTRY_MILLIS), null);
                            return "set";
                        },
                        ADE),
                new Entry(
                        "Files.getPosixFilePermissions",
                        Catalogue::content,
                        d -> PosixFilePermissions.toString(Files.getPosixFilePermissions(d.resolve("in.txt"))),
                        ADE),
                new Entry(
                        "Files.setPosixFilePermissions",
                        Catalogue::content,
                        d -> {
                            Files.setPosixFilePermissions(
                                    d.resolve("in.txt"), PosixFilePermissions.fromString("rw-------"));
                            return "set";
                        },
                        ADE),
                new Entry(
                        "Files.getAttribute.size",
                        Catalogue::content,
                        d -> String.valueOf(Files.getAttribute(d.resolve("in.txt"), "size")),
                        ADE),
                new Entry(
                        "Files.setAttribute.posix",
                        Catalogue::content,
                        d -> {
                            Files.setAttribute(
                                    d.resolve("in.txt"),
                                    "posix:permissions",
                                    PosixFilePermissions.fromString("rwxr-----"));
                            return "set";
                        },
                        ADE),
                new Entry(
                        "Files.readAttributes.Basic",
                        Catalogue::content,
                        d -> {
                            BasicFileAttributes a =
                                    Files.readAttributes(d.resolve("in.txt"), BasicFileAttributes.class);
                            return "directory " + a.isDirectory() + ", regular " + a.isRegularFile() + ", link "
                                    + a.isSymbolicLink() + ", size " + a.size();
                        },
                        ADE),
                new Entry(
                        "Files.readAttributes.Basic.NOFOLLOW_LINKS",
                        Catalogue::secretLink,
                        d -> {
                            BasicFileAttributes a = Files.readAttributes(
                                    d.resolve("link"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                            return "link " + a.isSymbolicLink() + ", regular " + a.isRegularFile();
                        },
                        ADE),
                new Entry(
                        "Files.readAttributes.Posix",
                        Catalogue::content,
                        d -> {
                            PosixFileAttributes a =
                                    Files.readAttributes(d.resolve("in.txt"), PosixFileAttributes.class);
                            return PosixFilePermissions.toString(a.permissions()) + ", size " + a.size();
                        },
                        ADE),
                new Entry(
                        "Files.readAttributes.String.posix",
                        Catalogue::content,
                        d -> {
                            Object permissions = Files.readAttributes(d.resolve("in.txt"), "posix:permissions")
                                    .get("permissions");
                            return ((Set<?>) permissions)
                                    .stream().map(String::valueOf).sorted().collect(Collectors.joining(","));
                        },
                        ADE),
                new Entry(
                        "Files.readAttributes.String.unix",
                        Catalogue::content,
                        d -> {
                            Map<String, Object> a = Files.readAttributes(d.resolve("in.txt"), "unix:mode,nlink,size");
                            return "mode " + Integer.toOctalString((Integer) a.get("mode")) + ", nlink "
                                    + a.get("nlink") + ", size " + a.get("size");
                        },
                        ADE),
                new Entry(
                        "Files.readSymbolicLink",
                        Catalogue::secretLink,
                        d -> Files.readSymbolicLink(d.resolve("link")).toString(),
                        ADE),
                new Entry(
                        "Path.toRealPath",
                        Catalogue::secretLink,
                        d -> d.resolve("link").toRealPath().toString(),
                        ADE),
                // The JDK finds the mount point by stat'ing every parent up to it, and the broker
                // answers only within the grant: the agent finishes the walk above it from the
                // mount table, and statvfs runs on the descriptor the broker resolved.
                new Entry(
                        "Files.getFileStore",
                        Catalogue::content,
                        d -> {
                            java.nio.file.FileStore store = Files.getFileStore(d.resolve("in.txt"));
                            return store + " " + store.name() + " " + store.type() + " read-only "
                                    + store.isReadOnly() + ", total " + store.getTotalSpace() + ", block "
                                    + store.getBlockSize() + ", usable " + (store.getUsableSpace() > 0)
                                    + ", posix " + store.supportsFileAttributeView("posix");
                        },
                        ADE),
                new Entry(
                        "Files.isRegularFile.NOFOLLOW_LINKS",
                        Catalogue::content,
                        d -> String.valueOf(Files.isRegularFile(d.resolve("in.txt"), LinkOption.NOFOLLOW_LINKS)),
                        "false"));
    }

    private static List<Entry> filesMutation() {
        return List.of(
                new Entry(
                        "Files.createFile",
                        Catalogue::nothing,
                        d -> Files.createFile(d.resolve("new.txt")).toString(),
                        ADE),
                new Entry(
                        "Files.createDirectory",
                        Catalogue::nothing,
                        d -> Files.createDirectory(d.resolve("new")).toString(),
                        ADE),
                new Entry(
                        "Files.createDirectories",
                        Catalogue::nothing,
                        d -> Files.createDirectories(d.resolve("a/b/c")).toString(),
                        ADE),
                new Entry(
                        "Files.createTempFile.dir",
                        Catalogue::nothing,
                        d -> temp(Files.createTempFile(d, "tmp-", ".txt")),
                        ADE),
                // In java.io.tmpdir, which every run sets to the fixtures' base directory; the prefix names the entry.
                new Entry(
                        "Files.createTempFile.tmpdir",
                        Catalogue::nothing,
                        d -> temp(Files.createTempFile(d.getFileName() + ".tmp-", ".txt")),
                        ADE),
                new Entry(
                        "Files.createTempDirectory.dir",
                        Catalogue::nothing,
                        d -> temp(Files.createTempDirectory(d, "tmp-")),
                        ADE),
                new Entry(
                        "Files.delete.file",
                        Catalogue::content,
                        d -> {
                            Files.delete(d.resolve("in.txt"));
                            return "deleted";
                        },
                        ADE),
                new Entry(
                        "Files.delete.dir",
                        d -> Files.createDirectory(d.resolve("sub")),
                        d -> {
                            Files.delete(d.resolve("sub"));
                            return "deleted";
                        },
                        ADE),
                new Entry(
                        "Files.deleteIfExists",
                        Catalogue::content,
                        d -> String.valueOf(Files.deleteIfExists(d.resolve("in.txt"))),
                        ADE),
                new Entry(
                        "Files.copy.Path",
                        Catalogue::content,
                        d -> Files.copy(d.resolve("in.txt"), d.resolve("copy.txt"))
                                .toString(),
                        ADE),
                new Entry(
                        "Files.copy.REPLACE_EXISTING",
                        d -> {
                            content(d);
                            write(d, "copy.txt", "to be replaced\n");
                        },
                        d -> Files.copy(d.resolve("in.txt"), d.resolve("copy.txt"), StandardCopyOption.REPLACE_EXISTING)
                                .toString(),
                        ADE),
                // The fixture's time must reach the copy: the tree comparison sees times set before 2001.
                // The JDK copies owner, mode and times through the new file's descriptor (fchown,
                // fchmod, futimes or futimens), which seccomp refuses to the helper; the agent
                // routes mode and times by the descriptor's name, and the owner is the one it has.
                new Entry(
                        "Files.copy.COPY_ATTRIBUTES",
                        d -> {
                            Files.setPosixFilePermissions(content(d), PosixFilePermissions.fromString("rwxr-x---"));
                            Files.setLastModifiedTime(d.resolve("in.txt"), FIXTURE_TIME);
                        },
                        d -> {
                            Path copy = Files.copy(
                                    d.resolve("in.txt"), d.resolve("copy.txt"), StandardCopyOption.COPY_ATTRIBUTES);
                            return copy + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)) + " "
                                    + Files.getLastModifiedTime(copy) + " " + Files.readString(copy);
                        },
                        ADE),
                new Entry(
                        "Files.copy.COPY_ATTRIBUTES.dir",
                        d -> {
                            Path sub = Files.createDirectory(d.resolve("sub"));
                            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwx--x---"));
                            Files.setLastModifiedTime(sub, FIXTURE_TIME);
                        },
                        d -> {
                            Path copy =
                                    Files.copy(d.resolve("sub"), d.resolve("copy"), StandardCopyOption.COPY_ATTRIBUTES);
                            return copy + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)) + " "
                                    + Files.getLastModifiedTime(copy);
                        },
                        ADE),
                new Entry(
                        "Files.copy.InputStream",
                        Catalogue::nothing,
                        d -> String.valueOf(Files.copy(new ByteArrayInputStream(bytes(WRITTEN)), d.resolve("out.txt"))),
                        ADE),
                new Entry(
                        "Files.copy.OutputStream",
                        Catalogue::content,
                        d -> {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            Files.copy(d.resolve("in.txt"), out);
                            return text(out.toByteArray());
                        },
                        ADE),
                new Entry(
                        "Files.move",
                        Catalogue::content,
                        d -> Files.move(d.resolve("in.txt"), d.resolve("moved.txt"))
                                .toString(),
                        ADE),
                new Entry(
                        "Files.move.REPLACE_EXISTING",
                        d -> {
                            content(d);
                            write(d, "moved.txt", "to be replaced\n");
                        },
                        d -> Files.move(
                                        d.resolve("in.txt"),
                                        d.resolve("moved.txt"),
                                        StandardCopyOption.REPLACE_EXISTING)
                                .toString(),
                        ADE),
                new Entry(
                        "Files.move.ATOMIC_MOVE",
                        Catalogue::content,
                        d -> Files.move(d.resolve("in.txt"), d.resolve("moved.txt"), StandardCopyOption.ATOMIC_MOVE)
                                .toString(),
                        ADE),
                new Entry(
                        "Files.move.dir",
                        d -> write(d, "sub/" + SECRET + "-child.txt", CONTENT),
                        d -> Files.move(d.resolve("sub"), d.resolve("moved")).toString(),
                        ADE),
                new Entry(
                        "Files.createSymbolicLink",
                        Catalogue::content,
                        d -> Files.createSymbolicLink(d.resolve("link"), Path.of("in.txt"))
                                .toString(),
                        ADE),
                new Entry(
                        "Files.createLink",
                        Catalogue::content,
                        d -> Files.createLink(d.resolve("hard.txt"), d.resolve("in.txt"))
                                .toString(),
                        ADE));
    }

    private static List<Entry> filesListing() {
        return List.of(
                new Entry(
                        "Files.list",
                        Catalogue::children,
                        d -> {
                            try (Stream<Path> list = Files.list(d)) {
                                return relative(d, list);
                            }
                        },
                        ADE),
                // Files.walk and Files.find visit the start before they return: its failure is thrown, not wrapped
                // in an UncheckedIOException as a failure deeper in the tree would be.
                new Entry(
                        "Files.walk",
                        Catalogue::children,
                        d -> {
                            try (Stream<Path> walk = Files.walk(d)) {
                                return relative(d, walk);
                            }
                        },
                        ADE),
                new Entry(
                        "Files.find",
                        Catalogue::children,
                        d -> {
                            try (Stream<Path> found = Files.find(d, 5, (p, a) -> a.isRegularFile())) {
                                return relative(d, found);
                            }
                        },
                        ADE),
                new Entry(
                        "Files.newDirectoryStream",
                        Catalogue::children,
                        d -> {
                            try (DirectoryStream<Path> stream = Files.newDirectoryStream(d)) {
                                List<Path> found = new ArrayList<>();
                                stream.forEach(found::add);
                                return relative(d, found.stream());
                            }
                        },
                        ADE),
                new Entry(
                        "Files.newDirectoryStream.glob",
                        Catalogue::children,
                        d -> {
                            try (DirectoryStream<Path> stream = Files.newDirectoryStream(d, "*.txt")) {
                                List<Path> found = new ArrayList<>();
                                stream.forEach(found::add);
                                return relative(d, found.stream());
                            }
                        },
                        ADE),
                // SimpleFileVisitor rethrows a failed visit: the start directory's failure is the call's.
                new Entry(
                        "Files.walkFileTree",
                        Catalogue::children,
                        d -> {
                            List<Path> visited = new ArrayList<>();
                            Files.walkFileTree(d, new SimpleFileVisitor<Path>() {
                                @Override
                                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                                    visited.add(dir);
                                    return FileVisitResult.CONTINUE;
                                }

                                @Override
                                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                                    visited.add(file);
                                    return FileVisitResult.CONTINUE;
                                }
                            });
                            return relative(d, visited.stream());
                        },
                        ADE),
                new Entry(
                        "WatchService.register",
                        Catalogue::nothing,
                        d -> {
                            try (WatchService watcher = d.getFileSystem().newWatchService()) {
                                WatchKey key = d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                                return "valid " + key.isValid();
                            }
                        },
                        ADE));
    }

    private static List<Entry> channels() {
        return List.of(
                new Entry(
                        "FileChannel.open.read",
                        Catalogue::content,
                        d -> {
                            try (FileChannel c = FileChannel.open(d.resolve("in.txt"), StandardOpenOption.READ)) {
                                ByteBuffer b = ByteBuffer.allocate((int) c.size());
                                c.read(b, 0);
                                return text(b.array());
                            }
                        },
                        ADE),
                new Entry(
                        "FileChannel.open.write",
                        Catalogue::nothing,
                        d -> {
                            try (FileChannel c = FileChannel.open(
                                    d.resolve("out.txt"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                                return "wrote " + c.write(ByteBuffer.wrap(bytes(WRITTEN)));
                            }
                        },
                        ADE),
                new Entry(
                        "FileChannel.map",
                        Catalogue::content,
                        d -> {
                            try (FileChannel c = FileChannel.open(d.resolve("in.txt"), StandardOpenOption.READ)) {
                                MappedByteBuffer map = c.map(FileChannel.MapMode.READ_ONLY, 0, c.size());
                                byte[] b = new byte[map.remaining()];
                                map.get(b);
                                return text(b);
                            }
                        },
                        ADE),
                new Entry(
                        "FileChannel.lock",
                        Catalogue::content,
                        d -> {
                            try (FileChannel c = FileChannel.open(
                                            d.resolve("in.txt"), StandardOpenOption.READ, StandardOpenOption.WRITE);
                                    FileLock lock = c.lock()) {
                                return "valid " + lock.isValid() + ", shared " + lock.isShared();
                            }
                        },
                        ADE),
                new Entry(
                        "FileChannel.lock.shared",
                        Catalogue::content,
                        d -> {
                            try (FileChannel c = FileChannel.open(d.resolve("in.txt"), StandardOpenOption.READ);
                                    FileLock lock = c.lock(0, Long.MAX_VALUE, true)) {
                                return "valid " + lock.isValid() + ", shared " + lock.isShared();
                            }
                        },
                        ADE),
                new Entry(
                        "FileChannel.tryLock",
                        Catalogue::content,
                        d -> {
                            try (FileChannel c = FileChannel.open(d.resolve("in.txt"), StandardOpenOption.WRITE);
                                    FileLock lock = c.tryLock()) {
                                return "valid " + (lock != null && lock.isValid());
                            }
                        },
                        ADE),
                new Entry(
                        "FileChannel.transferTo",
                        Catalogue::content,
                        d -> {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            try (FileChannel c = FileChannel.open(d.resolve("in.txt"), StandardOpenOption.READ)) {
                                c.transferTo(0, c.size(), Channels.newChannel(out));
                            }
                            return text(out.toByteArray());
                        },
                        ADE),
                new Entry(
                        "FileChannel.transferFrom",
                        Catalogue::nothing,
                        d -> {
                            try (FileChannel c = FileChannel.open(
                                    d.resolve("out.txt"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                                return "transferred "
                                        + c.transferFrom(
                                                Channels.newChannel(new ByteArrayInputStream(bytes(WRITTEN))),
                                                0,
                                                WRITTEN.length());
                            }
                        },
                        ADE),
                new Entry(
                        "RandomAccessFile.getChannel",
                        Catalogue::content,
                        d -> {
                            try (RandomAccessFile f =
                                    new RandomAccessFile(d.resolve("in.txt").toFile(), "r")) {
                                return "size " + f.getChannel().size();
                            }
                        },
                        FNFE),
                new Entry(
                        "AsynchronousFileChannel.read",
                        Catalogue::content,
                        d -> {
                            try (AsynchronousFileChannel c =
                                    AsynchronousFileChannel.open(d.resolve("in.txt"), StandardOpenOption.READ)) {
                                ByteBuffer b = ByteBuffer.allocate((int) c.size());
                                c.read(b, 0).get();
                                return text(b.array());
                            }
                        },
                        ADE),
                new Entry(
                        "AsynchronousFileChannel.write",
                        Catalogue::nothing,
                        d -> {
                            try (AsynchronousFileChannel c = AsynchronousFileChannel.open(
                                    d.resolve("out.txt"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                                return "wrote "
                                        + c.write(ByteBuffer.wrap(bytes(WRITTEN)), 0)
                                                .get();
                            }
                        },
                        ADE));
    }

    private static List<Entry> archives() {
        return List.of(
                // ZipFile and JarFile open with RandomAccessFile, but read the file's attributes first (the key of
                // their cache of open archives): NIO's exception, not java.io's.
                new Entry(
                        "ZipFile.entries",
                        Catalogue::archive,
                        d -> {
                            try (ZipFile zip =
                                    new ZipFile(d.resolve("archive.zip").toFile())) {
                                return zip.stream()
                                        .map(ZipEntry::getName)
                                        .sorted()
                                        .collect(Collectors.joining(","));
                            }
                        },
                        ADE),
                new Entry(
                        "ZipFile.getInputStream",
                        Catalogue::archive,
                        d -> {
                            try (ZipFile zip =
                                            new ZipFile(d.resolve("archive.zip").toString());
                                    InputStream in = zip.getInputStream(zip.getEntry("entry.txt"))) {
                                return text(in.readAllBytes());
                            }
                        },
                        ADE),
                new Entry(
                        "ZipInputStream",
                        Catalogue::archive,
                        d -> {
                            List<String> names = new ArrayList<>();
                            try (ZipInputStream in = new ZipInputStream(
                                    new FileInputStream(d.resolve("archive.zip").toFile()))) {
                                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                                    names.add(e.getName());
                                }
                            }
                            return String.join(",", names);
                        },
                        FNFE),
                new Entry(
                        "JarFile.getManifest",
                        Catalogue::archive,
                        d -> {
                            try (JarFile jar =
                                    new JarFile(d.resolve("archive.zip").toFile())) {
                                return jar.getManifest().getMainAttributes().getValue("Implementation-Title");
                            }
                        },
                        ADE),
                new Entry(
                        "JarFile.getInputStream",
                        Catalogue::archive,
                        d -> {
                            try (JarFile jar =
                                            new JarFile(d.resolve("archive.zip").toFile());
                                    InputStream in = jar.getInputStream(jar.getJarEntry("entry.txt"))) {
                                return text(in.readAllBytes());
                            }
                        },
                        ADE),
                new Entry(
                        "JarInputStream",
                        Catalogue::archive,
                        d -> {
                            try (JarInputStream in = new JarInputStream(
                                    new FileInputStream(d.resolve("archive.zip").toFile()))) {
                                return in.getManifest().getMainAttributes().getValue("Implementation-Title");
                            }
                        },
                        FNFE),
                new Entry(
                        "ZipFileSystem.read",
                        Catalogue::archive,
                        d -> {
                            try (FileSystem zip = FileSystems.newFileSystem(d.resolve("archive.zip"))) {
                                return Files.readString(zip.getPath("entry.txt"));
                            }
                        },
                        ADE),
                new Entry(
                        "ZipFileSystem.create",
                        Catalogue::nothing,
                        d -> {
                            try (FileSystem zip =
                                    FileSystems.newFileSystem(d.resolve("new.zip"), Map.of("create", "true"))) {
                                zipEntry(zip.getPath("written.txt"));
                            }
                            return "wrote";
                        },
                        ADE),
                new Entry(
                        "ZipFileSystem.update",
                        Catalogue::archive,
                        d -> {
                            try (FileSystem zip = FileSystems.newFileSystem(d.resolve("archive.zip"))) {
                                zipEntry(zip.getPath("written.txt"));
                            }
                            return "wrote";
                        },
                        ADE),
                // Its parent is the platform loader: the jar in the fixture is the only place Plugin can come from.
                new Entry(
                        "URLClassLoader.loadClass",
                        Catalogue::pluginJar,
                        d -> {
                            try (URLClassLoader loader = new URLClassLoader(
                                    new URL[] {d.resolve("plugin.jar").toUri().toURL()},
                                    ClassLoader.getPlatformClassLoader())) {
                                Object plugin = loader.loadClass(PLUGIN)
                                        .getConstructor()
                                        .newInstance();
                                return String.valueOf(((Supplier<?>) plugin).get());
                            }
                        },
                        "EX java.lang.ClassNotFoundException"),
                // A class path element the loader cannot open is skipped, not reported: the resource is just not found.
                new Entry(
                        "URLClassLoader.getResource",
                        Catalogue::pluginJar,
                        d -> {
                            try (URLClassLoader loader = new URLClassLoader(
                                    new URL[] {d.resolve("plugin.jar").toUri().toURL()},
                                    ClassLoader.getPlatformClassLoader())) {
                                URL resource = loader.getResource("plugin.txt");
                                if (resource == null) {
                                    return "null";
                                }
                                try (InputStream in = resource.openStream()) {
                                    return text(in.readAllBytes());
                                }
                            }
                        },
                        "null"),
                // The jar: handler opens the jar as a JarFile, which reads the file's attributes first: NIO's
                // exception.
                new Entry(
                        "URL.jar.openStream",
                        Catalogue::archive,
                        d -> {
                            URL url = URI.create(
                                            "jar:" + d.resolve("archive.zip").toUri() + "!/entry.txt")
                                    .toURL();
                            try (InputStream in = url.openStream()) {
                                return text(in.readAllBytes());
                            }
                        },
                        ADE));
    }

    private static List<Entry> urlsAndProperties() {
        return List.of(
                new Entry(
                        "URL.file.openStream",
                        Catalogue::content,
                        d -> {
                            try (InputStream in =
                                    d.resolve("in.txt").toUri().toURL().openStream()) {
                                return text(in.readAllBytes());
                            }
                        },
                        FNFE),
                new Entry(
                        "URL.file.getContentLength",
                        Catalogue::content,
                        d -> String.valueOf(d.resolve("in.txt")
                                .toUri()
                                .toURL()
                                .openConnection()
                                .getContentLength()),
                        "0"),
                // For a directory the JDK's file: handler answers with the sorted names of its children; when it
                // cannot tell the path is a directory it opens it as a file, hence java.io's exception.
                new Entry(
                        "URL.file.directory",
                        Catalogue::children,
                        d -> {
                            URLConnection connection = d.toUri().toURL().openConnection();
                            try (InputStream in = connection.getInputStream()) {
                                return text(in.readAllBytes());
                            }
                        },
                        FNFE),
                new Entry(
                        "Properties.load",
                        d -> write(d, "app.properties", "key=" + SECRET + " value\n"),
                        d -> {
                            Properties properties = new Properties();
                            try (InputStream in = new FileInputStream(
                                    d.resolve("app.properties").toFile())) {
                                properties.load(in);
                            }
                            return properties.getProperty("key");
                        },
                        FNFE),
                // Properties.store writes the date in a comment: the test compares .properties files without comments.
                new Entry(
                        "Properties.store",
                        Catalogue::nothing,
                        d -> {
                            Properties properties = new Properties();
                            properties.setProperty("key", "stored");
                            try (OutputStream out = new FileOutputStream(
                                    d.resolve("out.properties").toFile())) {
                                properties.store(out, "catalogue");
                            }
                            return "stored";
                        },
                        FNFE),
                new Entry(
                        "Properties.loadFromXML",
                        d -> write(d, "app.xml", """
                        <?xml version="1.0" encoding="UTF-8"?>
                        <!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">
                        <properties><entry key="key">%s value</entry></properties>
                        """.formatted(SECRET)),
                        d -> {
                            Properties properties = new Properties();
                            try (InputStream in =
                                    new FileInputStream(d.resolve("app.xml").toFile())) {
                                properties.loadFromXML(in);
                            }
                            return properties.getProperty("key");
                        },
                        FNFE),
                new Entry(
                        "Properties.storeToXML",
                        Catalogue::nothing,
                        d -> {
                            Properties properties = new Properties();
                            properties.setProperty("key", "stored");
                            try (OutputStream out =
                                    new FileOutputStream(d.resolve("out.xml").toFile())) {
                                properties.storeToXML(out, "catalogue");
                            }
                            return "stored";
                        },
                        FNFE));
    }

    // ---- fixtures (run by the test's JVM) ----

    private static void nothing(Path dir) {
        // The entry creates what it needs; its directory is its whole fixture.
    }

    private static Path content(Path dir) throws IOException {
        return write(dir, "in.txt", CONTENT);
    }

    private static void executable(Path dir) throws IOException {
        Files.setPosixFilePermissions(
                write(dir, "run.sh", "#!/bin/sh\n# " + SECRET + "\n"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A link whose target's name only reading the link can tell. */
    private static void secretLink(Path dir) throws IOException {
        write(dir, SECRET + "-target.txt", CONTENT);
        Files.createSymbolicLink(dir.resolve("link"), Path.of(SECRET + "-target.txt"));
    }

    /** Children whose names only a listing can tell: two files, one a .txt, and a directory with a file. */
    private static void children(Path dir) throws IOException {
        write(dir, SECRET + "-a.txt", CONTENT);
        write(dir, SECRET + "-b.dat", CONTENT);
        write(dir, SECRET + "-sub/" + SECRET + "-c.txt", CONTENT);
    }

    /** A jar (also a zip) with a manifest, a known entry and one only a listing can tell. */
    private static void archive(Path dir) throws IOException {
        zip(
                dir.resolve("archive.zip"),
                "META-INF/MANIFEST.MF",
                bytes("Manifest-Version: 1.0\r\nImplementation-Title: " + SECRET + " title\r\n\r\n"),
                "entry.txt",
                bytes(CONTENT),
                SECRET + "-listed.txt",
                bytes(CONTENT));
    }

    private static void pluginJar(Path dir) throws IOException {
        String resource = PLUGIN.replace('.', '/') + ".class";
        byte[] plugin;
        try (InputStream in = Catalogue.class.getClassLoader().getResourceAsStream(resource)) {
            plugin = in.readAllBytes();
        }
        zip(dir.resolve("plugin.jar"), resource, plugin, "plugin.txt", bytes(CONTENT));
    }

    /**
     * Writes a zip whose bytes depend only on its entries: every entry has the fixture time, so
     * the fixtures of different runs are identical.
     */
    private static void zip(Path file, Object... namesAndContents) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                ZipEntry entry = new ZipEntry((String) namesAndContents[i]);
                entry.setTime(FIXTURE_TIME.toMillis());
                out.putNextEntry(entry);
                out.write((byte[]) namesAndContents[i + 1]);
                out.closeEntry();
            }
        }
    }

    private static Path write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    // ---- helpers of the calls (run by the catalogue's JVM) ----

    /** Writes an entry into a zip file system with fixed times, so the zip's bytes are the same in every run. */
    private static void zipEntry(Path entry) throws IOException {
        Files.writeString(entry, WRITTEN);
        FileTime time = FileTime.fromMillis(ENTRY_MILLIS);
        Files.getFileAttributeView(entry, BasicFileAttributeView.class).setTimes(time, time, time);
    }

    private static File file(Path dir, String name) {
        return new File(dir.toFile(), name);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String read(Reader in) throws IOException {
        StringWriter out = new StringWriter();
        in.transferTo(out);
        return out.toString();
    }

    private static String names(String[] names) {
        return names == null ? "null" : Arrays.stream(names).sorted().collect(Collectors.joining(","));
    }

    private static String names(File[] files) {
        return files == null
                ? "null"
                : Arrays.stream(files).map(File::getName).sorted().collect(Collectors.joining(","));
    }

    private static String relative(Path dir, Stream<Path> paths) {
        return paths.map(p -> p.equals(dir) ? "." : dir.relativize(p).toString())
                .sorted()
                .collect(Collectors.joining(","));
    }

    /** A temporary file's parent and name with the random part replaced: all a run can say the same way twice. */
    private static String temp(Path created) {
        String name = created.getFileName().toString().replaceFirst("tmp-\\d+", "tmp-N");
        return "exists " + Files.exists(created) + ", in " + created.getParent() + ", named " + name;
    }
}
