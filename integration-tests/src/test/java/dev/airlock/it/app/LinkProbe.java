package dev.airlock.it.app;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The application of LinkStatIT and WatchIT, run confined and unconfined alike: a symbolic link's
 * attributes as the JDK reports them, walks over trees with links, link targets, the helper's own
 * descriptors, and a WatchService reporting what changes in a directory. Each argument is one
 * operation {@code NAME:ARG}, answered with one line {@code NAME:ARG OK ...} or {@code NAME:ARG EX
 * class: message}, as {@link Probe} does; {@code watch} prints one line per event as it comes.
 */
public final class LinkProbe {
    private LinkProbe() {}

    public static void main(String[] args) {
        Probe.answerEach(args, LinkProbe::run);
    }

    private static String run(String op, String value) throws Exception {
        Path path = Path.of(value);
        switch (op) {
            case "attrs":
                return attributes(path);
            case "islink":
                return Boolean.toString(Files.isSymbolicLink(path));
            case "readlink":
                return Files.readSymbolicLink(path).toString();
            case "walk":
                return walk(path);
            case "walktree":
                return walkTree(path);
            case "link-fds":
                return RawLinks.linkDescriptors(value);
            case "raw-lstat":
                return RawLinks.rawLstat(value);
            case "watch":
                return watch(path);
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    /** Every attribute the JDK reports for the path itself, in a fixed order, so two runs compare as text. */
    private static String attributes(Path p) throws IOException {
        BasicFileAttributes basic = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes posix = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> unix = new TreeMap<>(Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS));
        unix.remove("fileKey"); // printed with the basic attributes
        unix.put(
                "permissions",
                PosixFilePermissions.toString(posix.permissions())); // a set: its order is not the file's
        return "basic[mtime=" + basic.lastModifiedTime() + " atime=" + basic.lastAccessTime() + " ctime="
                + basic.creationTime() + " regular=" + basic.isRegularFile() + " dir=" + basic.isDirectory() + " link="
                + basic.isSymbolicLink() + " other=" + basic.isOther() + " size=" + basic.size() + " key="
                + basic.fileKey()
                + "] posix[owner=" + posix.owner() + " group=" + posix.group() + " perms="
                + PosixFilePermissions.toString(posix.permissions()) + "] unix" + unix;
    }

    /** Files.walk without following links: each entry, and whether it is a link, relative to the start. */
    private static String walk(Path start) throws IOException {
        List<String> seen = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(start)) {
            walk.forEach(p -> seen.add(start.relativize(p) + (Files.isSymbolicLink(p) ? "@" : "")));
        }
        seen.sort(null);
        return String.join(",", seen);
    }

    /** walkFileTree: each file visited with the attributes the walk read for it. */
    private static String walkTree(Path start) throws IOException {
        List<String> seen = new ArrayList<>();
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                seen.add(start.relativize(file) + (attrs.isSymbolicLink() ? "@" : "") + "=" + attrs.size());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                seen.add(start.relativize(dir) + "/");
                return FileVisitResult.CONTINUE;
            }
        });
        seen.sort(null);
        return String.join(",", seen);
    }

    /**
     * Registers a WatchService on the directory for create, modify and delete, prints
     * {@code REGISTERED}, then prints {@code EVENT kind name} for every event as it arrives (the
     * same event twice in a row once: the JDK may coalesce repeats, timing decides) until a file
     * named {@code stop} is created, or 30 s pass.
     */
    private static String watch(Path dir) throws Exception {
        try (WatchService service = FileSystems.getDefault().newWatchService()) {
            WatchKey key = dir.register(
                    service,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            System.out.println("REGISTERED " + key.isValid());
            System.out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String last = null;
            int events = 0;
            while (System.nanoTime() < deadline) {
                WatchKey signalled = service.poll(200, TimeUnit.MILLISECONDS);
                if (signalled == null) {
                    continue;
                }
                for (WatchEvent<?> event : signalled.pollEvents()) {
                    String line = "EVENT " + event.kind().name() + " " + event.context();
                    if (!line.equals(last)) {
                        System.out.println(line);
                        System.out.flush();
                        events++;
                    }
                    last = line;
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                            && event.context().toString().equals("stop")) {
                        return "events=" + events;
                    }
                }
                signalled.reset();
            }
            return "timed out after events=" + events;
        }
    }
}
