package dev.airlock.it;

import dev.airlock.it.app.Catalogue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the catalogue's fixture tree holds, in a form two runs on different base directories can
 * compare: per entry directory, one line per path with its type, permissions, size, content hash,
 * link count and link target, and its modification time only when one was set on purpose. No
 * owners (the unconfined run and the broker may differ in who creates a file, which the catalogue
 * does not judge), no inode numbers, no other times, and the random part of temporary names
 * replaced, because those legitimately differ from one run to the next.
 */
final class FixtureTree {
    /** The group of paths directly in the base directory that belong to no entry. */
    static final String OUTSIDE = "(outside the entries' directories)";
    /** A temporary file in the base directory (java.io.tmpdir) whose prefix is the entry that made it. */
    private static final Pattern ENTRY_TEMP = Pattern.compile("(.+)\\.tmp-\\d+.*");

    private FixtureTree() {}

    /** Creates every entry's directory and fixture under a new {@code base}, readable by the helper's user. */
    static void create(Path base, List<Catalogue.Entry> entries) throws Exception {
        Files.createDirectory(base);
        for (Catalogue.Entry entry : entries) {
            entry.setup().create(Files.createDirectory(base.resolve(entry.name())));
        }
        readableByAll(base);
    }

    /**
     * Directories 755 and files 644, or 755 if the fixture made them executable: what an installed
     * tree looks like, so the helper (nobody, when the tests run as root) would reach every file if
     * the kernel let it and only Airlock decides.
     */
    private static void readableByAll(Path base) throws IOException {
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean executable = Files.isDirectory(p)
                        || Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /**
     * The tree under {@code base}, grouped by entry: its directory, and the temporary files its
     * name prefixes in the base directory; anything else is {@link #OUTSIDE}. Each group's lines are sorted.
     */
    static Map<String, List<String>> snapshot(Path base, Set<String> entryNames) throws IOException {
        Map<String, List<String>> groups = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(base)) {
                    continue;
                }
                Path relative = base.relativize(p);
                String top = relative.getName(0).toString();
                Matcher temp = ENTRY_TEMP.matcher(top);
                String group = entryNames.contains(top)
                        ? top
                        : temp.matches() && entryNames.contains(temp.group(1)) ? temp.group(1) : OUTSIDE;
                groups.computeIfAbsent(group, g -> new ArrayList<>()).add(describe(base, relative));
            }
        }
        groups.values().forEach(lines -> lines.sort(null));
        return groups;
    }

    private static String describe(Path base, Path relative) throws IOException {
        Path p = base.resolve(relative);
        String name = relative.toString().replaceAll("tmp-\\d+", "tmp-N");
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            return name + " link to " + Files.readSymbolicLink(p).toString().replace(base.toString(), "$DIR");
        }
        String permissions = PosixFilePermissions.toString(a.permissions());
        long mtime = a.lastModifiedTime().toMillis();
        String time = mtime < Catalogue.EXPLICIT_TIMES_BEFORE ? " modified " + a.lastModifiedTime() : "";
        if (a.isDirectory()) {
            // No size: a directory's size depends on its history in the file system, not on what it holds.
            return name + " dir " + permissions + time;
        }
        if (!a.isRegularFile()) {
            return name + " other " + permissions + time;
        }
        return name + " file " + permissions + " size " + a.size() + " links "
                + Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) + " sha256 " + hash(p) + time;
    }

    /**
     * The SHA-256 of a file's content; of a {@code .properties} file without its comment lines,
     * because {@code Properties.store} always writes the time it ran in one.
     */
    private static String hash(Path p) throws IOException {
        byte[] content;
        try {
            content = Files.readAllBytes(p);
        } catch (AccessDeniedException e) {
            // Only when the suite runs unprivileged and an entry took its own read permission away.
            return "unreadable";
        }
        if (p.getFileName().toString().endsWith(".properties")) {
            content = new String(content, StandardCharsets.ISO_8859_1)
                    .lines()
                    .filter(l -> !l.startsWith("#"))
                    .collect(Collectors.joining("\n"))
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
