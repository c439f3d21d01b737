package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The broker's resolution leaks nothing, end to end: a grant root replaced by a link in an earlier
 * run, a query name with a {@code *}, {@code ..} through a directory the helper cannot search.
 * Each is checked against what exists outside (the secret file's content never appears).
 */
class ResolutionIT {
    private static final String SECRET = "root-only secret";

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aGrantRootReplacedByALinkInAnEarlierRunServesNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path work = Files.createDirectories(s.data.resolve("work"));
            Path forbidden = Files.createDirectories(s.root.resolve("forbidden"));
            Files.writeString(forbidden.resolve("secret.txt"), SECRET);
            s.worldReadable(s.data);
            Files.setPosixFilePermissions(forbidden, PosixFilePermissions.fromString("rwx------"));
            // What the program did in the earlier run, with write on work/-: work/out is now a link.
            Files.createSymbolicLink(work.resolve("out"), forbidden);
            Path policy = s.policy(
                    "app.policy",
                    "grant {\n"
                            + "  permission java.io.FilePermission \"" + work + "/-\", \"read,write\";\n"
                            + "  permission java.io.FilePermission \"" + work.resolve("out") + "/-\", \"read\";\n"
                            + "};\n");
            Path secret = work.resolve("out/secret.txt");
            Sandbox.Result r = s.run(jdk, policy, "fis:" + secret, "nio-readallbytes:" + secret);
            assertTrue(
                    r.answer("fis:" + secret).startsWith("EX java.io.FileNotFoundException: "),
                    r.answer("fis:" + secret));
            assertTrue(
                    r.answer("nio-readallbytes:" + secret).startsWith("EX java.nio.file.AccessDeniedException: "),
                    r.answer("nio-readallbytes:" + secret));
            assertFalse(r.stdout().toString().contains(SECRET), r.stdout().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aStarInAQueriedNameIsNoWildcard(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.file("dir/report-", "the granted file");
            Path star = s.file("dir/report*", SECRET);
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("dir/report-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, "fis:" + s.data.resolve("dir/report-"), "fis:" + star);
            assertEquals("OK the granted file", r.answer("fis:" + s.data.resolve("dir/report-")));
            // The star is the file's own name: the grant comes closest as its sibling, not as a pattern.
            Path granted = s.data.resolve("dir/report-");
            String closest =
                    policy + ":2 \"" + granted + "\" grants read on " + granted + ", not on its sibling " + star;
            assertEquals(FileAccessIT.denied("fis", star, policy, "read", closest), r.answer("fis:" + star));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void dotDotThroughAnUnsearchableDirectoryRevealsNoName(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path locked = s.data.resolve("locked");
            s.file("locked/x", "granted x");
            Files.createDirectories(locked.resolve("present"));
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
            Path policy = s.policy("app.policy", FileAccessIT.grant(locked.resolve("x"), "read"));
            String present = "fis:" + locked + "/present/../x";
            String absent = "fis:" + locked + "/absent/../x";
            String presentNio = "nio-readallbytes:" + locked + "/present/../y";
            String absentNio = "nio-readallbytes:" + locked + "/absent/../y";
            Sandbox.Result r = s.run(jdk, policy, present, absent, presentNio, absentNio);
            assertEquals("OK granted x", r.answer(present));
            assertEquals(r.answer(present), r.answer(absent), "the same answer whether 'present' exists or not");
            assertEquals(r.answer(presentNio).replace("/present/", "/absent/"), r.answer(absentNio));
        }
    }
}
