package dev.airlock.broker;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The files the helper needs from Airlock itself: the agent jar (this very jar) and jffi's native
 * stub, which jffi would otherwise extract into a temporary directory at first use, something a
 * helper that can write nowhere cannot do. Both live in a cache directory that only the broker's
 * user can write and the helper's user can read, created once and reused.
 */
record RuntimeFiles(Path agentJar, Path jffiDirectory) {
    static final String JFFI_RESOURCE = "jni/x86_64-Linux/libjffi-1.2.so";
    static final String JFFI_FILE = "libjffi-1.2.so";

    /**
     * Prepares the runtime files. {@code ownJar} is the jar the broker runs from;
     * {@code readableByOthers} says whether the helper runs as another user, who must be able to
     * read every directory on the way to them.
     */
    static RuntimeFiles prepare(Path ownJar, Path cache, Path jffiDir, boolean readableByOthers) throws IOException {
        Path agent = ownJar;
        if (readableByOthers && !worldReadable(ownJar)) {
            agent = copyJar(cache, ownJar);
        }
        return new RuntimeFiles(agent, jffiDir);
    }

    /** Installs jffi's native stub in the cache (once) and returns its directory, for {@code jffi.boot.library.path}. */
    static Path jffiDirectory(Path cache) throws IOException {
        byte[] jffi;
        try (InputStream in = RuntimeFiles.class.getClassLoader().getResourceAsStream(JFFI_RESOURCE)) {
            if (in == null) {
                throw new IOException("airlock.jar lacks jffi's native stub " + JFFI_RESOURCE);
            }
            jffi = in.readAllBytes();
        }
        Path jffiDir = cache.resolve("jffi-" + digest(jffi));
        installOnce(jffiDir, JFFI_FILE, jffi);
        return jffiDir;
    }

    /** Airlock's cache directory: writable by the broker's user only, readable by the helper's. */
    static Path cacheRoot() throws IOException {
        Path root;
        boolean system = "root".equals(System.getProperty("user.name"));
        if (system) {
            root = Path.of("/var/cache/airlock");
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            root = (xdg != null && xdg.startsWith("/")
                            ? Path.of(xdg)
                            : Path.of(System.getProperty("user.home"), ".cache"))
                    .resolve("airlock");
        }
        Files.createDirectories(root);
        requireOwnAndNotWritableByOthers(root);
        if (system) {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return root;
    }

    private static Path copyJar(Path cache, Path jar) throws IOException {
        byte[] bytes = Files.readAllBytes(jar);
        Path dir = cache.resolve("agent-" + digest(bytes));
        installOnce(dir, "airlock.jar", bytes);
        return dir.resolve("airlock.jar");
    }

    /** Writes {@code name} into {@code dir} unless an identical copy is already there; atomic. */
    private static void installOnce(Path dir, String name, byte[] content) throws IOException {
        Path target = dir.resolve(name);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == content.length) {
            requireOwnAndNotWritableByOthers(dir);
            requireOwnAndNotWritableByOthers(target);
            return;
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        requireOwnAndNotWritableByOthers(dir);
        Path temporary = Files.createTempFile(dir, name, ".tmp");
        try {
            Files.write(temporary, content);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Refuses a cache that another user could have planted or could change under us. */
    private static void requireOwnAndNotWritableByOthers(Path path) throws IOException {
        PosixFileAttributes attributes =
                Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String me = System.getProperty("user.name");
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (!attributes.owner().getName().equals(me)
                || attributes.isSymbolicLink()
                || permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new AccessDeniedException(
                    path.toString(), null, "airlock cache must be owned by " + me + " and writable by no one else");
        }
    }

    /** Whether every directory on the way to {@code file} is searchable, and the file readable, by others. */
    private static boolean worldReadable(Path file) throws IOException {
        Path real = file.toRealPath();
        if (!Files.getPosixFilePermissions(real).contains(PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
            if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    static Path ownJar() throws IOException {
        try {
            return Path.of(RuntimeFiles.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException | SecurityException e) {
            throw new IOException("cannot locate airlock.jar", e);
        }
    }

    private static String digest(byte[] content) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
