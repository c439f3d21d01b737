package dev.airlock.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent's transformed JDK classes, computed once per helper JDK and Airlock build by an
 * unconfined run of the agent alone ({@code prepare=DIR}), then replayed read-only by every
 * helper. Weaving live costs a helper about half a second of ByteBuddy; replaying costs
 * milliseconds. The cache is written by the broker's side only, never by a helper, and a helper
 * that finds no usable entry weaves live and gets the same bytes.
 */
final class TransformCache {
    private static final String COMPLETE = "complete";
    private static final long PREPARE_TIMEOUT_SECONDS = 120;

    private TransformCache() {
    }

    /**
     * The cache directory for this JDK, preparing it first if needed; null when it cannot be
     * prepared (the helper then weaves live: slower, the same result).
     */
    static Path prepare(Path cacheRoot, Path java, Path javaHome, Path agentJar, List<String> userArgs) {
        try {
            List<String> shareOptions = classDataSharingOptions(userArgs);
            Path dir = cacheRoot.resolve("xform-" + key(javaHome, agentJar, shareOptions));
            if (Files.isRegularFile(dir.resolve(COMPLETE))) {
                return dir;
            }
            Path staging = Files.createTempDirectory(cacheRoot, "xform-staging-");
            try {
                List<String> command = new ArrayList<>();
                command.add(java.toString());
                command.add("-XX:+PerfDisableSharedMem");
                command.addAll(shareOptions);
                command.add("-javaagent:" + agentJar + "=prepare=" + staging);
                command.add("-version");
                Process run = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!run.waitFor(PREPARE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    run.destroyForcibly();
                    return null;
                }
                if (run.exitValue() != 0) {
                    return null;
                }
                Files.writeString(staging.resolve(COMPLETE), String.join(" ", command) + "\n", StandardCharsets.UTF_8);
                worldReadable(staging);
                try {
                    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException raced) {
                    // Another broker prepared the same cache at the same time: use theirs.
                }
                return Files.isRegularFile(dir.resolve(COMPLETE)) ? dir : null;
            } finally {
                deleteTree(staging);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The class bytes a JVM hands to the agent depend on class data sharing, so the cache is
     * prepared with the helper's own sharing options.
     */
    static List<String> classDataSharingOptions(List<String> userArgs) {
        List<String> options = new ArrayList<>();
        for (String arg : userArgs) {
            if (!arg.startsWith("-")) {
                break; // the main class or -jar's jar: the rest belongs to the application
            }
            if (arg.startsWith("-Xshare:") || arg.startsWith("-XX:SharedArchiveFile=") || arg.startsWith("-XX:AOTCache=")) {
                options.add(arg);
            }
        }
        return options;
    }

    private static String key(Path javaHome, Path agentJar, List<String> shareOptions) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(javaHome.toString().getBytes(StandardCharsets.UTF_8));
            Path release = javaHome.resolve("release");
            if (Files.isRegularFile(release)) {
                digest.update(Files.readAllBytes(release));
            }
            digest.update((Files.size(agentJar) + "@" + Files.getLastModifiedTime(agentJar).toMillis()).getBytes(StandardCharsets.UTF_8));
            digest.update(String.join("\0", shareOptions).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static void worldReadable(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
