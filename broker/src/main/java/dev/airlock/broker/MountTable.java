package dev.airlock.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker's mounts, as {@code /proc/self/mountinfo} lists them, for the two questions a kernel
 * rule raises that the path alone does not answer. A Landlock rule belongs to an inode, and the
 * kernel grants it to whatever path reaches that inode: a bind mount of a granted directory (or of
 * one above it) elsewhere, or the same file system mounted twice, makes the granted files
 * reachable under another name, which the policy (deciding names) does not grant
 * ({@link #reachableElsewhere}). And a tree rule covers the mounts beneath it, where procfs or
 * sysfs would show the helper what the broker never serves ({@link #kernelViewAtOrBeneath}).
 * Either makes a grant one the kernel cannot carry exactly ({@link NativeGrants}). The table is
 * read at start; mounts made later are not seen (see docs/ARCHITECTURE.md, "The kernel path").
 */
final class MountTable {
    /** One line: the file system's device, the directory of it that is mounted, where, and its type. */
    record Mount(String device, String root, String mountPoint, String type) {}

    private final List<Mount> mounts;

    MountTable(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** The broker's own mounts; an unreadable table is an empty one, which {@link NativeGrants} refuses to trust. */
    static MountTable lookUp() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            return new MountTable(List.of());
        }
    }

    /**
     * Parses mountinfo text (proc(5): {@code ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS
     * [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS}, paths with {@code \ooo} escapes).
     *
     * @throws IllegalArgumentException for a line of another shape
     */
    static MountTable parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ", -1);
            int separator = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    separator = i;
                    break;
                }
            }
            if (f.length < 7 || separator < 0 || separator + 1 >= f.length) {
                throw new IllegalArgumentException("not a mountinfo line: " + line);
            }
            mounts.add(new Mount(f[2], unescape(f[3]), unescape(f[4]), f[separator + 1]));
        }
        return new MountTable(mounts);
    }

    List<Mount> mounts() {
        return mounts;
    }

    boolean isEmpty() {
        return mounts.isEmpty();
    }

    /**
     * Whether the inode at {@code path} (a real path) is reachable through another mount too: some
     * other mount of the same file system has, as its root, the directory {@code path} is in that
     * file system or one above it. Then a rule on {@code path} also grants that other name. The
     * mount {@code path} is seen through is the last one listed at the deepest mount point above it
     * (a later mount on the same point hides the earlier one).
     */
    boolean reachableElsewhere(String path) {
        int index = mountOf(path);
        if (index < 0) {
            return true;
        }
        Mount seen = mounts.get(index);
        String inFileSystem = join(
                seen.root(),
                path.substring(
                        seen.mountPoint().equals("/") ? 0 : seen.mountPoint().length()));
        for (int i = 0; i < mounts.size(); i++) {
            Mount other = mounts.get(i);
            if (i != index && other.device().equals(seen.device()) && atOrBeneath(inFileSystem, other.root())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a procfs or sysfs mount is at {@code path} or beneath it, or {@code path} is on one. */
    boolean kernelViewAtOrBeneath(String path) {
        int index = mountOf(path);
        if (index < 0 || isKernelView(mounts.get(index))) {
            return true;
        }
        for (Mount m : mounts) {
            if (isKernelView(m) && atOrBeneath(m.mountPoint(), path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isKernelView(Mount m) {
        return m.type().equals("proc") || m.type().equals("sysfs");
    }

    /** The index of the mount {@code path} is seen through; -1 for none. */
    private int mountOf(String path) {
        int seen = -1;
        for (int i = 0; i < mounts.size(); i++) {
            String point = mounts.get(i).mountPoint();
            if (atOrBeneath(path, point)
                    && (seen < 0
                            || point.length() >= mounts.get(seen).mountPoint().length())) {
                seen = i;
            }
        }
        return seen;
    }

    /** Whether {@code path} is {@code top} or beneath it, by whole components. */
    static boolean atOrBeneath(String path, String top) {
        if (top.equals("/")) {
            return path.startsWith("/");
        }
        return path.equals(top) || (path.startsWith(top) && path.charAt(top.length()) == '/');
    }

    private static String join(String root, String rest) {
        if (rest.isEmpty()) {
            return root;
        }
        return root.equals("/") ? rest : root + rest;
    }

    /** mountinfo's escapes: {@code \ooo}, three octal digits, for space, tab, newline and backslash. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
