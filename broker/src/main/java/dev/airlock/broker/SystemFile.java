package dev.airlock.broker;

import java.nio.file.Path;

/**
 * One of the system files a JVM and the libraries it loads read to behave as they do unconfined,
 * which the helper may read by itself ({@link SandboxPlanner#SYSTEM_FILE_ENTRIES}), with the reason
 * it is there: every entry must say which program needs it and for what, so that the list stays
 * what a JVM needs and nothing more (a path that does not exist on a machine is skipped).
 */
record SystemFile(Path path, String reason) {
    SystemFile {
        if (!path.isAbsolute() || reason.isBlank()) {
            throw new IllegalArgumentException("a system file needs an absolute path and a reason: " + path);
        }
    }

    static SystemFile of(String path, String reason) {
        return new SystemFile(Path.of(path), reason);
    }
}
