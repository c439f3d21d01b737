package dev.airlock.broker;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;

/**
 * {@link ClassPathFiles} answered from the disk with the broker's own rights, at plan time: the
 * launcher's side of {@link ClassPath}. Argfiles are read only once {@code policy} grants read on
 * them. {@code helper} is the account the helper drops to when the broker is root (empty: the
 * helper keeps the broker's user, who can read what the broker reads); its readability is judged by
 * the mode bits, owner and group of each directory on the way and of the entry itself, with no
 * supplementary groups (the helper has none) and without POSIX ACLs, which the JDK cannot read.
 * An entry it may read itself behind a directory it may not search is {@link Reach.Hidden}: the
 * spawner shows it to the helper in a view of its own ({@link ClassPathView}).
 */
final class DiskClassPathFiles implements ClassPathFiles {
    /** The largest argfile or manifest the broker reads: far beyond any real one, and a bound on a hostile jar. */
    static final long MAX_FILE_BYTES = 16L << 20;

    private final Policy policy;
    private final Optional<UserAccount> helper;

    DiskClassPathFiles(Policy policy, Optional<UserAccount> helper) {
        this.policy = policy;
        this.helper = helper;
    }

    @Override
    public Kind kind(Path path) {
        if (Files.isDirectory(path)) {
            return Kind.DIRECTORY;
        }
        if (!Files.isRegularFile(path)) {
            return Files.exists(path) ? Kind.OTHER : Kind.MISSING;
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            return zip.size() >= 0 ? Kind.ARCHIVE : Kind.OTHER; // it opened: its central directory is sound
        } catch (IOException | RuntimeException notAZip) {
            return Kind.OTHER;
        }
    }

    @Override
    public Optional<String> manifestClassPath(Path jar) throws AirlockException {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            JarEntry entry = file.getJarEntry(JarFile.MANIFEST_NAME);
            if (entry != null && entry.getSize() > MAX_FILE_BYTES) {
                throw new AirlockException(
                        ExitCodes.USAGE, jar + ": its manifest is larger than " + MAX_FILE_BYTES + " bytes");
            }
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return Optional.empty();
            }
            return Optional.ofNullable(manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH));
        } catch (IOException | RuntimeException unreadable) {
            // the JVM cannot read that manifest either, and then gives the jar no Class-Path
            return Optional.empty();
        }
    }

    @Override
    public List<Path> jarsIn(Path directory) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(".jar") || name.endsWith(".JAR")) {
                    jars.add(entry);
                }
            }
        } catch (IOException | RuntimeException unlisted) {
            return List.of(); // the launcher finds nothing there either
        }
        jars.sort(null);
        return jars;
    }

    @Override
    public String argFile(Path file) throws AirlockException {
        if (!policy.allowsFile(file.toString(), FileActions.READ)) {
            throw new AirlockException(
                    ExitCodes.USAGE,
                    "@" + file + ": the java launcher reads this argfile before the program starts, and policy "
                            + policy.displayName() + " grants no read on it; add: permission java.io.FilePermission \""
                            + file + "\", \"read\";");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new AirlockException(ExitCodes.USAGE, "@" + file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            // the launcher hands the JVM the file's bytes as they are: decode them as the JVM decodes its arguments
            return new String(bytes, nativeCharset());
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, "@" + file + ": cannot read it: " + e.getMessage());
        }
    }

    @Override
    public Reach helperReach(Path path) {
        if (helper.isEmpty()) {
            return new Reach.Reached();
        }
        UserAccount account = helper.get();
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException | RuntimeException gone) {
            return new Reach.Reached(); // nothing there: no rule is made for it
        }
        Optional<String> itself = refused(path, account, true);
        if (itself.isPresent()) {
            return new Reach.Refused(itself.get());
        }
        List<Path> given = unsearchable(path, account);
        List<Path> onTheWay = real.equals(path) ? given : unsearchable(real, account);
        if (given.isEmpty() && onTheWay.isEmpty()) {
            return new Reach.Reached();
        }
        if (!given.isEmpty() && !onTheWay.isEmpty()) {
            // Links above the first directory it may not search are fine: the helper follows them
            // as it does outside. At or below it the view recreates plain directories, so the
            // path as given must name the real path from there down.
            Path first = given.get(0);
            try {
                Path firstReal = first.toRealPath();
                if (firstReal.equals(onTheWay.get(0))
                        && firstReal.resolve(first.relativize(path)).equals(real)) {
                    return new Reach.Hidden(real, Files.isDirectory(real), onTheWay);
                }
            } catch (IOException | RuntimeException changed) {
                // judged below as a link Airlock cannot show
            }
        }
        Path blocking = (given.isEmpty() ? onTheWay : given).get(0);
        return new Reach.Refused(refused(blocking, account, false).orElse(blocking + " may not be searched")
                + ", and the way to it passes a symbolic link to " + real
                + " beneath it, which Airlock does not recreate for the helper; name the entry by its real path");
    }

    /** The directories on the way to {@code path} (following links) that {@code account} may not search, highest first. */
    private static List<Path> unsearchable(Path path, UserAccount account) {
        List<Path> found = new ArrayList<>();
        Path directory = path.getRoot();
        for (int i = 0; i < path.getNameCount() - 1; i++) {
            directory = directory.resolve(path.getName(i));
            if (refused(directory, account, false).isPresent()) {
                found.add(directory);
            }
        }
        return found;
    }

    /** Why {@code account} may not search {@code directory} (or, {@code last}, read {@code path}), by its mode bits. */
    private static Optional<String> refused(Path path, UserAccount account, boolean last) {
        Map<String, Object> attributes;
        Set<PosixFilePermission> permissions;
        try {
            attributes = Files.readAttributes(path, "unix:uid,gid");
            permissions = Files.getPosixFilePermissions(path);
        } catch (IOException | RuntimeException unknown) {
            return Optional.empty(); // the kernel will say; nothing better to report
        }
        int uid = (Integer) attributes.get("uid");
        int gid = (Integer) attributes.get("gid");
        boolean directory = Files.isDirectory(path);
        boolean read;
        boolean search;
        if (uid == account.uid()) {
            read = permissions.contains(PosixFilePermission.OWNER_READ);
            search = permissions.contains(PosixFilePermission.OWNER_EXECUTE);
        } else if (gid == account.gid()) {
            read = permissions.contains(PosixFilePermission.GROUP_READ);
            search = permissions.contains(PosixFilePermission.GROUP_EXECUTE);
        } else {
            read = permissions.contains(PosixFilePermission.OTHERS_READ);
            search = permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
        }
        boolean allowed = last ? read && (!directory || search) : search;
        if (allowed) {
            return Optional.empty();
        }
        return Optional.of(path + " is " + PosixFilePermissions.toString(permissions) + " owned by uid " + uid
                + " gid " + gid + ", so " + account.name() + " (uid " + account.uid() + ") may not "
                + (last ? "read it" : "search it"));
    }

    private static Charset nativeCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : StandardCharsets.UTF_8;
        } catch (RuntimeException unknown) {
            return StandardCharsets.UTF_8;
        }
    }
}
