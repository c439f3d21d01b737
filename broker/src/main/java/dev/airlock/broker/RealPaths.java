package dev.airlock.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The real path (every link resolved) of each path a plan names, as looked up on disk before
 * planning; a path without one did not exist. The Landlock rules go on real paths (the kernel
 * checks those), and the agent learns both spellings of each readable root.
 */
record RealPaths(Map<Path, Path> byName) {
    RealPaths {
        byName = Map.copyOf(byName);
    }

    /** The real path of {@code named}; empty when it did not exist. */
    Optional<Path> of(Path named) {
        return Optional.ofNullable(byName.get(named));
    }

    /** Looks up each of {@code paths} ({@link Path#toRealPath}); a path that does not resolve is left out. */
    static RealPaths lookUp(Collection<Path> paths) {
        Map<Path, Path> real = new LinkedHashMap<>();
        for (Path path : paths) {
            try {
                real.put(path, path.toRealPath());
            } catch (IOException missing) {
                // nothing there to read: nothing to grant
            }
        }
        return new RealPaths(real);
    }
}
