package dev.airlock.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real file tree for a broker test, built beneath the test's temporary directory by paths
 * relative to it. Each call returns the absolute path it made, so that a test's set-up reads as
 * the tree it builds: the granted, read-only and secret directories, their files, and the links
 * that lead between them.
 */
final class TreeBuilder {
    private final Path root;

    TreeBuilder(Path root) {
        this.root = root;
    }

    /** Where {@code relative} is in the tree, made or not. */
    Path path(String relative) {
        return root.resolve(relative);
    }

    /** A directory, with any missing parents. */
    Path directory(String relative) throws IOException {
        return Files.createDirectories(path(relative));
    }

    /** A regular file holding {@code content} in UTF-8; its directory must exist. */
    Path file(String relative, String content) throws IOException {
        return Files.writeString(path(relative), content);
    }

    /** A symbolic link whose target is {@code target} exactly as written (relative or absolute). */
    Path link(String relative, String target) throws IOException {
        return Files.createSymbolicLink(path(relative), Path.of(target));
    }

    /** A symbolic link to an absolute path. */
    Path link(String relative, Path target) throws IOException {
        return Files.createSymbolicLink(path(relative), target);
    }
}
