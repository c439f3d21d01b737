package dev.airlock.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test helpers for real file trees: a snapshot of everything that could change in a tree (to
 * assert that a refused request changed nothing), and path bytes for requests.
 */
final class Trees {
    private Trees() {}

    /** The UTF-8 bytes of a path, as the helper sends them. */
    static byte[] bytes(Path path) {
        return bytes(path.toString());
    }

    static byte[] bytes(String path) {
        return path.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Every entry beneath {@code root} (and {@code root} itself), links not followed: name, type,
     * mode with set-id bits, owner, size, link count, modification time, and a file's content
     * digest or a link's target. Two snapshots are equal exactly when none of that changed.
     */
    static Map<String, String> snapshot(Path root) {
        return walk(root, true);
    }

    /**
     * As {@link #snapshot} without modification times: what two trees that had the same changes
     * made to them at different moments have in common.
     */
    static Map<String, String> shape(Path root) {
        return walk(root, false);
    }

    private static Map<String, String> walk(Path root, boolean times) {
        Map<String, String> entries = new TreeMap<>();
        try {
            visit(root, p -> entries.put(root.relativize(p).toString(), describe(p, times)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** What {@link #visit} does with each entry. */
    interface Visitor {
        void accept(Path entry) throws IOException;
    }

    /**
     * Calls {@code visitor} on {@code root} and everything beneath it, links not followed, parents
     * before children. The fuzz test's requests chmod directories to modes their owner cannot list
     * or search; root reads them anyway, a normal user cannot, so for the walk the owner's read and
     * search bits are lifted and then put back exactly (a chmod changes ctime, never mtime, so
     * snapshots stay comparable).
     */
    static void visit(Path root, Visitor visitor) throws IOException {
        visitor.accept(root);
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        withOwnerBits(root, 0500, () -> {
            try (Stream<Path> list = Files.list(root)) {
                list.sorted().forEach(children::add);
            }
            for (Path child : children) {
                visit(child, visitor);
            }
        });
    }

    /**
     * Runs {@code action} with {@code bits} of the owner's permissions added to {@code p}'s mode,
     * then restores it. {@code p} is a directory or a regular file, never a link, so the mode is
     * set by path: the JDK's no-follow variant opens the file first, which its mode may forbid.
     */
    private static void withOwnerBits(Path p, int bits, IoAction action) throws IOException {
        int mode = mode(p);
        if (ROOT || (mode & bits) == bits) {
            action.run();
            return;
        }
        Files.setAttribute(p, "unix:mode", mode | bits);
        try {
            action.run();
        } finally {
            Files.setAttribute(p, "unix:mode", mode);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Whether the tests run as root, whom permission bits do not stop. */
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /** The entries that differ between two snapshots, one line each; empty when they are equal. */
    static String diff(Map<String, String> expected, Map<String, String> actual) {
        StringBuilder s = new StringBuilder();
        java.util.Set<String> names = new java.util.TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            String e = expected.getOrDefault(name, "absent");
            String a = actual.getOrDefault(name, "absent");
            if (!e.equals(a)) {
                s.append('\n')
                        .append(name.isEmpty() ? "." : name)
                        .append(": expected ")
                        .append(e)
                        .append(", was ")
                        .append(a);
            }
        }
        return s.toString();
    }

    /** What {@link #snapshot} records of one entry; {@code "absent"} if it does not exist. */
    static String describe(Path p, boolean times) {
        try {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return "absent";
            }
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Map<String, Object> unix =
                    Files.readAttributes(p, "unix:mode,uid,gid,nlink,ino", LinkOption.NOFOLLOW_LINKS);
            StringBuilder s = new StringBuilder();
            s.append(a.isDirectory() ? "dir" : a.isSymbolicLink() ? "link" : a.isRegularFile() ? "file" : "other");
            s.append(" mode=0").append(Integer.toOctalString((Integer) unix.get("mode")));
            s.append(" uid=").append(unix.get("uid")).append(" gid=").append(unix.get("gid"));
            s.append(" nlink=").append(unix.get("nlink"));
            s.append(" size=").append(a.size());
            if (times) {
                s.append(" mtime=").append(nanos(a.lastModifiedTime()));
            }
            if (a.isSymbolicLink()) {
                s.append(" -> ").append(Files.readSymbolicLink(p));
            } else if (a.isRegularFile()) {
                byte[][] content = new byte[1][];
                withOwnerBits(p, 0400, () -> content[0] = Files.readAllBytes(p));
                s.append(" sha256=").append(digest(content[0]));
            }
            return s.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static String digest(byte[] content) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    static long device(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }
}
