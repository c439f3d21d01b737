package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.ClassPathFiles.Reach;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the helper's reach of a class path entry is judged on a real tree, by the mode bits alone
 * (for an account that owns nothing here, so any user can run it): reached, hidden behind
 * directories it may not search (the view's input), or refused.
 */
class DiskClassPathFilesTest {
    /** An account that owns nothing in the test's tree and is in none of its groups. */
    private static final UserAccount STRANGER = new UserAccount("stranger", 2_000_000_001, 2_000_000_001);

    @TempDir
    Path tmp;

    private static void mode(Path path, String mode) throws Exception {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    }

    private DiskClassPathFiles files() throws Exception {
        return new DiskClassPathFiles(PolicyBuilder.named("test").build(), Optional.of(STRANGER));
    }

    @Test
    void anEntryBehindUnsearchableDirectoriesIsHiddenWithEachOfThemHighestFirst() throws Exception {
        mode(tmp, "rwxr-xr-x");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path proj = Files.createDirectories(home.resolve("proj"));
        Path classes = Files.createDirectories(proj.resolve("classes"));
        Path jar = Files.writeString(proj.resolve("app.jar"), "PK");
        mode(home, "rwx------");
        mode(proj, "rwx--x---");
        mode(classes, "rwxr-xr-x");
        mode(jar, "rw-r--r--");
        Path real = tmp.toRealPath();
        assertEquals(
                new Reach.Hidden(
                        real.resolve("home/proj/app.jar"),
                        false,
                        List.of(real.resolve("home"), real.resolve("home/proj"))),
                files().helperReach(jar));
        assertEquals(
                new Reach.Hidden(
                        real.resolve("home/proj/classes"),
                        true,
                        List.of(real.resolve("home"), real.resolve("home/proj"))),
                files().helperReach(classes));
        assertEquals(new Reach.Reached(), files().helperReach(tmp.resolve("missing.jar")));
        assertEquals(
                new Reach.Reached(),
                new DiskClassPathFiles(PolicyBuilder.named("test").build(), Optional.empty()).helperReach(jar),
                "a helper that keeps the broker's user reads what it reads");
    }

    @Test
    void anEntryTheHelperMayNotReadItselfIsRefused() throws Exception {
        mode(tmp, "rwxr-xr-x");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path jar = Files.writeString(home.resolve("app.jar"), "PK");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        mode(home, "rwx------");
        mode(jar, "rw-------");
        mode(classes, "rwx--x--x");
        Reach jarReach = files().helperReach(jar);
        assertTrue(jarReach instanceof Reach.Refused, jarReach.toString());
        assertTrue(((Reach.Refused) jarReach).why().contains("rw------- owned by uid"), jarReach.toString());
        assertTrue(((Reach.Refused) jarReach).why().endsWith("may not read it"), jarReach.toString());
        Reach classesReach = files().helperReach(classes);
        assertTrue(classesReach instanceof Reach.Refused, "a directory it may not list: " + classesReach);
    }

    @Test
    void aLinkBelowTheHidingDirectoryIsRefusedOneAboveItIsFollowed() throws Exception {
        mode(tmp, "rwxr-xr-x");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path lib = Files.createDirectories(home.resolve("lib"));
        Path jar = Files.writeString(lib.resolve("a.jar"), "PK");
        Files.createSymbolicLink(home.resolve("link"), lib);
        Files.createSymbolicLink(tmp.resolve("above"), home);
        mode(home, "rwx------");
        mode(lib, "rwxr-xr-x");
        mode(jar, "rw-r--r--");
        Path real = tmp.toRealPath();
        Reach below = files().helperReach(home.resolve("link/a.jar"));
        assertTrue(below instanceof Reach.Refused, below.toString());
        assertTrue(((Reach.Refused) below).why().contains("symbolic link"), below.toString());
        assertEquals(
                new Reach.Hidden(real.resolve("home/lib/a.jar"), false, List.of(real.resolve("home"))),
                files().helperReach(tmp.resolve("above/lib/a.jar")));
    }
}
