package dev.airlock.it.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * An ordinary archiver built on commons-compress, as {@code tar} does it: {@code ArchiveProgram
 * SOURCE WORK} writes {@code WORK/tree.tar} from the tree at SOURCE with each entry's mode,
 * owner, modification time and, for a symbolic link, its target; lists the archive; extracts it
 * into {@code WORK/out}, restoring modes, times and links; and prints the extracted tree.
 */
public final class ArchiveProgram {
    private ArchiveProgram() {}

    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIRECTORY = 040000;
    private static final int TYPE_LINK = 0120000;

    public static void main(String[] args) throws IOException {
        Path source = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Path tar = work.resolve("tree.tar");
        create(source, tar);
        list(tar);
        Path out = Files.createDirectory(work.resolve("out"));
        extract(tar, out);
        print(out);
    }

    private static List<Path> walk(Path top) throws IOException {
        try (Stream<Path> walk = Files.walk(top)) {
            return walk.filter(p -> !p.equals(top)).sorted().toList();
        }
    }

    private static void create(Path source, Path tar) throws IOException {
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : walk(source)) {
                String name = source.relativize(p).toString();
                PosixFileAttributes attributes =
                        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int permissions = mode(attributes.permissions());
                TarArchiveEntry entry;
                if (attributes.isSymbolicLink()) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(p).toString());
                    entry.setMode(TYPE_LINK | permissions);
                } else if (attributes.isDirectory()) {
                    entry = new TarArchiveEntry(name + "/");
                    entry.setMode(TYPE_DIRECTORY | permissions);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setMode(TYPE_FILE | permissions);
                    entry.setSize(attributes.size());
                }
                entry.setModTime(attributes.lastModifiedTime());
                entry.setUserId(((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
                entry.setGroupId(((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue());
                entry.setUserName(attributes.owner().getName());
                entry.setGroupName(attributes.group().getName());
                out.putArchiveEntry(entry);
                if (attributes.isRegularFile()) {
                    Files.copy(p, out);
                }
                out.closeArchiveEntry();
            }
        }
    }

    private static void list(Path tar) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                System.out.printf(
                        "entry %s %06o %s:%s %d %d%s%n",
                        e.getName(),
                        e.getMode(),
                        e.getUserName(),
                        e.getGroupName(),
                        e.getSize(),
                        e.getLastModifiedTime().toMillis() / 1000,
                        e.isSymbolicLink() ? " -> " + e.getLinkName() : "");
            }
        }
    }

    private static void extract(Path tar, Path out) throws IOException {
        List<TarArchiveEntry> directories = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path target = out.resolve(e.getName()).normalize();
                if (!target.startsWith(out)) {
                    throw new IOException("entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    directories.add(e);
                } else if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else {
                    try (OutputStream file = Files.newOutputStream(target)) {
                        in.transferTo(file);
                    }
                    Files.setPosixFilePermissions(target, permissions(e.getMode()));
                    Files.setLastModifiedTime(target, e.getLastModifiedTime());
                }
            }
        }
        // Directories last, deepest first: writing into a directory changes its time.
        for (int i = directories.size() - 1; i >= 0; i--) {
            TarArchiveEntry e = directories.get(i);
            Path target = out.resolve(e.getName());
            Files.setPosixFilePermissions(target, permissions(e.getMode()));
            Files.setLastModifiedTime(target, e.getLastModifiedTime());
        }
    }

    private static void print(Path out) throws IOException {
        for (Path p : walk(out)) {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String what;
            if (a.isSymbolicLink()) {
                what = "link -> " + Files.readSymbolicLink(p) + " reads " + crc(p);
            } else if (a.isDirectory()) {
                what = "dir";
            } else {
                what = "file " + a.size() + " crc " + crc(p) + (Files.isExecutable(p) ? " executable" : "");
            }
            System.out.printf(
                    "extracted %s %s %d %s%n",
                    out.relativize(p),
                    a.isSymbolicLink() ? "-" : PosixFilePermissions.toString(a.permissions()),
                    a.isSymbolicLink() ? 0 : a.lastModifiedTime().toMillis() / 1000,
                    what);
        }
    }

    private static String crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            crc.update(in.readAllBytes());
        }
        return Long.toHexString(crc.getValue());
    }

    /** The nine permission bits of {@code permissions}, as in {@code rwxr-xr-x} = 0755. */
    private static int mode(Set<PosixFilePermission> permissions) {
        String symbolic = PosixFilePermissions.toString(permissions);
        int mode = 0;
        for (int i = 0; i < symbolic.length(); i++) {
            if (symbolic.charAt(i) != '-') {
                mode |= 0400 >> i;
            }
        }
        return mode;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        String letters = "rwxrwxrwx";
        StringBuilder symbolic = new StringBuilder();
        for (int i = 0; i < letters.length(); i++) {
            symbolic.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(symbolic.toString());
    }
}
