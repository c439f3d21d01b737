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
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test helpers for real file trees: a snapshot of everything that could change in a tree (to
 * assert that a refused request changed nothing), and path bytes for requests.
 */
final class Trees {
    private Trees() {
    }

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
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> entries.put(root.relativize(p).toString(), describe(p, times)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** The entries that differ between two snapshots, one line each; empty when they are equal. */
    static String diff(Map<String, String> expected, Map<String, String> actual) {
        StringBuilder s = new StringBuilder();
        java.util.Set<String> names = new java.util.TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            String e = expected.getOrDefault(name, "absent");
            String a = actual.getOrDefault(name, "absent");
            if (!e.equals(a)) {
                s.append('\n').append(name.isEmpty() ? "." : name).append(": expected ").append(e).append(", was ").append(a);
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
            Map<String, Object> unix = Files.readAttributes(p, "unix:mode,uid,gid,nlink,ino", LinkOption.NOFOLLOW_LINKS);
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
                s.append(" sha256=").append(digest(Files.readAllBytes(p)));
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
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
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
