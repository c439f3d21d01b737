package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JDK's answers on granted files are the ones it gives outside the sandbox, also where the
 * helper's user could not have got them by itself: {@code Path.toRealPath} of a granted file whose
 * parent directory the helper's user ({@code nobody}) cannot search, which realpath(3) in the
 * helper cannot resolve (it fails with EACCES) and the broker resolves for it.
 */
class RealResultsIT {

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void toRealPathBeneathAnUnsearchableParentAnswersAsOutside(Jdk jdk) throws Exception {
        assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as nobody only when Airlock runs as root");
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("private/granted/in.txt", "granted content");
            Path granted = file.getParent();
            Files.createDirectories(granted.resolve("sub"));
            Files.createSymbolicLink(granted.resolve("link"), Path.of("sub/../in.txt"));
            Files.createSymbolicLink(granted.resolve("sub/up"), Path.of(".."));
            Path secret = s.file("private/secret.txt", "not granted");
            Path unsearchable = s.data.resolve("private");
            Files.setPosixFilePermissions(unsearchable, PosixFilePermissions.fromString("rwx------"));
            Path policy = s.policy("app.policy", FileAccessIT.grant(granted.resolve("-"), "read"));

            Path link = granted.resolve("link");
            Path viaDirLink = granted.resolve("sub/up/in.txt");
            Path missing = granted.resolve("missing.txt");
            Sandbox.Result r = s.run(
                    jdk,
                    policy,
                    "realpath:" + file,
                    "realpath:" + link,
                    "realpath:" + viaDirLink,
                    "realpath:" + missing,
                    "realpath-nofollow:" + link,
                    "realpath:" + secret);
            assertEquals(0, r.exitCode(), r.stderr());
            // Outside: this JVM, as root, asks the same.
            assertEquals("OK " + file.toRealPath(), r.answer("realpath:" + file));
            assertEquals("OK " + link.toRealPath(), r.answer("realpath:" + link));
            assertEquals("OK " + file, r.answer("realpath:" + link), "the link resolves to the file");
            assertEquals("OK " + viaDirLink.toRealPath(), r.answer("realpath:" + viaDirLink));
            assertEquals("EX java.nio.file.NoSuchFileException: " + missing, r.answer("realpath:" + missing));
            assertEquals("OK " + link.toRealPath(LinkOption.NOFOLLOW_LINKS), r.answer("realpath-nofollow:" + link));
            assertTrue(
                    r.answer("realpath:" + secret).startsWith("EX java.nio.file.AccessDeniedException: " + secret),
                    r.answer("realpath:" + secret));
        }
    }
}
