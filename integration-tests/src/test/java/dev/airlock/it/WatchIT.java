package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.LinkProbe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9, hole 12: inotify watches are added by the broker after a read decision on the
 * directory. A WatchService in the sandbox on a granted directory reports what is created,
 * modified and deleted in it from outside exactly as an unconfined run does (as root the directory
 * is one the helper's own user may not read, so only the broker can add the watch); on a directory
 * the policy does not grant, {@code register} fails with the JDK's own AccessDeniedException, and
 * nothing done in that directory is ever reported.
 */
class WatchIT {

    /** The changes made from outside while the probe watches, each after the events of the one before can arrive. */
    private static void changeFromOutside(Path dir) throws Exception {
        Path file = dir.resolve("a.txt");
        Files.writeString(file, "created outside");
        TimeUnit.MILLISECONDS.sleep(400);
        Files.writeString(file, " and modified", StandardOpenOption.APPEND);
        TimeUnit.MILLISECONDS.sleep(400);
        Files.delete(file);
        TimeUnit.MILLISECONDS.sleep(400);
        Files.writeString(dir.resolve("stop"), "");
    }

    /** Runs {@code command} (the probe's watch), makes the changes once it has registered, and returns what it printed. */
    private static List<String> watchWhileChanging(List<String> command, Path changed) throws Exception {
        Process process = Sandbox.start(command);
        process.getOutputStream().close();
        StringBuilder stderr = new StringBuilder();
        Thread drain = new Thread(() -> {
            try {
                stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                stderr.append(e);
            }
        });
        drain.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("REGISTERED")) {
                    changeFromOutside(changed);
                }
            }
        } finally {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            drain.join();
        }
        assertEquals(0, process.exitValue(), "stdout " + lines + " stderr " + stderr);
        return lines;
    }

    private static List<String> events(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("EVENT ")).toList();
    }

    private static List<String> confinedCommand(Sandbox sandbox, Jdk jdk, Path policy, String op) {
        return Sandbox.javaCommand(jdk, policy, List.of("-cp", sandbox.app.toString(), LinkProbe.class.getName(), op));
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aWatchOnAGrantedDirectoryReportsWhatAnUnconfinedWatchReports(Jdk jdk) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            Path watched = Files.createDirectories(sandbox.data.resolve("watched"));
            Path policy = sandbox.policy(
                    "watch.policy",
                    "grant { permission java.io.FilePermission \"" + sandbox.data + "/-\", \"read\"; };");
            List<String> unconfined = watchWhileChanging(
                    List.of(
                            jdk.java().toString(),
                            "-cp",
                            sandbox.app.toString(),
                            LinkProbe.class.getName(),
                            "watch:" + watched),
                    watched);
            Files.delete(watched.resolve("stop"));
            if (Sandbox.isRoot()) {
                // The helper (nobody) may not read it: its own inotify_add_watch would fail, the broker's does not.
                Files.setPosixFilePermissions(watched, PosixFilePermissions.fromString("rwx------"));
            }
            List<String> confined =
                    watchWhileChanging(confinedCommand(sandbox, jdk, policy, "watch:" + watched), watched);

            List<String> expected = List.of(
                    "EVENT ENTRY_CREATE a.txt",
                    "EVENT ENTRY_MODIFY a.txt",
                    "EVENT ENTRY_DELETE a.txt",
                    "EVENT ENTRY_CREATE stop");
            assertEquals(expected, events(unconfined), "the unconfined JDK's own events: " + unconfined);
            assertEquals(events(unconfined), events(confined), "confined: " + confined);
            assertEquals("watch:" + watched + " OK events=4", confined.get(confined.size() - 1));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aWatchOnAnUngrantedDirectoryFailsAsTheJdkDoesAndReportsNothing(Jdk jdk) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            Path hidden = Files.createDirectories(sandbox.root.resolve("hidden"));
            sandbox.worldReadable(hidden); // the helper's user could read it: only the policy says no
            Path policy = sandbox.policy(
                    "watch.policy",
                    "grant { permission java.io.FilePermission \"" + sandbox.data + "/-\", \"read\"; };");
            Process process = Sandbox.start(confinedCommand(sandbox, jdk, policy, "watch:" + hidden));
            // Changes made while it tries: none may ever be reported.
            Files.writeString(hidden.resolve("made-while-registering"), "x");
            Sandbox.Result result = Sandbox.Result.of(process, 120);
            Files.writeString(hidden.resolve("stop"), "");
            assertEquals(0, result.exitCode(), result.stderr());
            String answer = result.answer("watch:" + hidden);
            assertTrue(answer.startsWith("EX java.nio.file.AccessDeniedException: " + hidden), answer);
            assertEquals(List.of("watch:" + hidden + " " + answer), result.stdout(), "no REGISTERED, no EVENT");
        }
    }
}
