package dev.airlock.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JDK the helper runs on, as looked up on disk before planning: its home, its launcher's
 * real path, its major version (from its {@code release} file, 0 if unknown), and the symbolic
 * links in its {@code conf} and {@code lib} directories, whose targets outside the JDK the JVM
 * reads through them (Debian: {@code conf/*} and {@code lib/jvm.cfg} into
 * {@code /etc/java-17-openjdk}, {@code lib/security/cacerts} into {@code /etc/ssl}).
 */
record Jdk(Path home, Path launcher, int majorVersion, List<Path> links) {
    Jdk {
        links = List.copyOf(links);
    }

    /** Looks up the JDK whose launcher's real path is {@code launcher} ({@code HOME/bin/java}). */
    static Jdk lookUp(Path launcher) throws IOException {
        Path home = launcher.getParent().getParent();
        List<Path> links = new ArrayList<>();
        for (String sub : new String[] {"conf", "lib"}) {
            Path dir = home.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir, 4)) {
                walk.filter(Files::isSymbolicLink).forEach(links::add);
            }
        }
        return new Jdk(home, launcher, majorVersion(home), links);
    }

    /** The major version of the JDK at {@code home}, from its {@code release} file; 0 if unknown. */
    static int majorVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    int end = 0;
                    while (end < version.length() && Character.isDigit(version.charAt(end))) {
                        end++;
                    }
                    return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
                }
            }
        } catch (IOException | NumberFormatException unknown) {
            return 0;
        }
        return 0;
    }
}
