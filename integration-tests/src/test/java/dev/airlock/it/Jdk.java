package dev.airlock.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The JDKs helper-side tests run under: the machine's JDK 17 and Temurin 25. */
enum Jdk {
    JDK17("/usr/lib/jvm/java-17-openjdk-amd64"),
    JDK25(System.getProperty("airlock.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    private final Path home;

    Jdk(String home) {
        this.home = Path.of(home);
    }

    Path java() {
        Path java = home.resolve("bin/java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException(this + " is required at " + home + " on the project's machines");
        }
        return java;
    }
}
