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
     * Whether the helper's user reaches {@code path} by its own permissions: judged by the mode
     * bits, owner and group of the path itself and of each directory on the way to it.
     */
    Reach helperReach(Path path);

    /** How the helper's user reaches a class path entry by its own permissions ({@link #helperReach}). */
    sealed interface Reach {
        /** It reads it: the helper keeps the broker's user, every directory on the way is searchable, or nothing is there. */
        record Reached() implements Reach {}

        /**
         * It may read the entry itself (a jar 0644, a classes directory 0755), but not search
         * {@code unsearchable}, the directories on the way to it that it may not search, highest
         * first (never empty, all real paths). {@code real} is the entry's real path, which
         * reaches through no symbolic link at or below the first of {@code unsearchable}: the
         * helper can be shown it there ({@link ClassPathView}).
         */
        record Hidden(Path real, boolean directory, List<Path> unsearchable) implements Reach {
            public Hidden {
                unsearchable = List.copyOf(unsearchable);
                if (unsearchable.isEmpty()) {
                    throw new IllegalArgumentException("a hidden entry has a directory that hides it");
                }
            }
        }

        /** It may not read the entry itself, or reaches it only through a link Airlock cannot show it: {@code why}. */
        record Refused(String why) implements Reach {}
    }

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
            public Reach helperReach(Path path) {
                return new Reach.Reached();
            }
        };
    }
}
