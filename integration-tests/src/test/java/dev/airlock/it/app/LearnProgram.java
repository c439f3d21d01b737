package dev.airlock.it.app;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small program for {@code airlock learn}: reads its configuration (and looks for an optional
 * override that is not there), 3 files of a directory of 1,000, uses a temporary file, writes its
 * output, one file of it in directories it creates, and prints what it wrote. Paths are relative
 * to the working directory.
 */
public final class LearnProgram {
    private LearnProgram() {}

    public static void main(String[] args) throws Exception {
        StringBuilder b = new StringBuilder(Files.readString(Path.of("conf/app.properties")));
        if (Files.exists(Path.of("conf/override.properties"))) {
            b.append(Files.readString(Path.of("conf/override.properties")));
        }
        for (String n : new String[] {"f3", "f500", "f999"}) {
            b.append(Files.readString(Path.of("big", n)));
        }
        Path temp = Files.createTempFile("learn", ".tmp");
        Files.writeString(temp, b);
        String back = Files.readString(temp);
        Files.delete(temp);
        Files.writeString(Path.of("out/result.txt"), back);
        Path reports = Files.createDirectories(Path.of("out/reports/daily"));
        Files.writeString(reports.resolve("summary.txt"), back.length() + "\n");
        System.out.println("wrote " + back.length() + " characters: " + back.replace('\n', ' '));
    }
}
