package dev.airlock.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ClassPath} needs to know of the disk, answered by the launcher at plan time (in
 * production {@link DiskClassPathFiles}, with the broker's rights; in tests a made-up tree), so
 * that the class path computation itself stays pure. Every path is absolute and normalized.
 */
interface ClassPathFiles {
    /** What a path is, as far as the JVM's class path cares. */
    enum Kind {
        /** Nothing there (or nothing the broker can see). */
        MISSING,
        /** A directory: the JVM reads classes beneath it. */
        DIRECTORY,
        /** A regular file that opens as a zip archive: the JVM reads it as a jar. */
        ARCHIVE,
        /** Anything else: the JVM cannot use it as a jar. */
        OTHER
    }

    /** What {@code path} is, following links. */
    Kind kind(Path path);

    /** The {@code Class-Path} attribute of the main section of the manifest of the archive {@code jar}, if it has one. */
    Optional<String> manifestClassPath(Path jar) throws AirlockException;

    /** The entries of {@code directory} whose names end in {@code .jar} or {@code .JAR}, as the launcher's {@code dir/*} takes them. */
    List<Path> jarsIn(Path directory);

    /**
     * The content of the argfile {@code file}, read only once the policy grants read on it
     * ({@link AirlockException} naming the file and the grant to add otherwise, or when it cannot
     * be read).
     */
    String argFile(Path file) throws AirlockException;

    /**
     * Why the helper's user cannot read {@code path} by its own permissions (a directory on the way
     * it may not search, a file it may not read), or empty when it can or the helper keeps the
     * broker's own user.
     */
    Optional<String> unreadableByHelper(Path path);

    /**
     * Answers that know nothing of the disk: every path missing, no directory holds a jar, no
     * argfile has content. What a plan made without looking sees: the entries the arguments name.
     */
    static ClassPathFiles unread() {
        return new ClassPathFiles() {
            @Override
            public Kind kind(Path path) {
                return Kind.MISSING;
            }

            @Override
            public Optional<String> manifestClassPath(Path jar) {
                return Optional.empty();
            }

            @Override
            public List<Path> jarsIn(Path directory) {
                return List.of();
            }

            @Override
            public String argFile(Path file) {
                return "";
            }

            @Override
            public Optional<String> unreadableByHelper(Path path) {
                return Optional.empty();
            }
        };
    }
}
