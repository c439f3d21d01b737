package dev.airlock.broker;

import static dev.airlock.broker.ServerFixture.assertDescriptorOf;
import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ..} resolved by the policy, never by the broker's own view: where
 * the helper may not read the head of a path, the answer must not depend on whether a name exists
 * in it; where it may, the climb starts from where the head really is, as the kernel's would.
 *
 * <p>The broker's view here is the test's own user (the Resolver runs in-process), who can search
 * the locked directory; the answers must be the same whatever that view sees.
 */
class RequestServerDotDotTest {
    @TempDir
    Path dir;

    /** Every request kind that resolves a whole path, and the outcome as the helper sees it. */
    private static List<String> outcomes(ServerFixture broker, String path) throws Exception {
        List<String> seen = new ArrayList<>();
        seen.add(describe(broker.serve(Requests.open(bytes(path), Linux.O_RDONLY, 0, false))));
        seen.add(describe(broker.serve(Requests.stat(bytes(path), false))));
        seen.add(describe(broker.serve(Requests.access(bytes(path), Linux.F_OK))));
        seen.add(describe(broker.serve(Requests.mkdir(bytes(path), 0755))));
        seen.add(describe(broker.serve(Requests.unlink(bytes(path + "-none")))));
        return seen;
    }

    private static String describe(RequestServer.Outcome outcome) throws Exception {
        if (outcome.fd() != null) {
            try (Fd fd = outcome.fd()) {
                return "descriptor of inode " + Linux.fstat(fd.get()).ino();
            }
        }
        return "errno " + outcome.errno() + " " + outcome.reason();
    }

    @Test
    void throughADirectoryTheHelperCannotReadTheAnswerIsTheSameWhetherANameExistsOrNot() throws Exception {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.createDirectory(locked.resolve("present"));
        Files.writeString(locked.resolve("file"), "a file, not a directory");
        Files.writeString(locked.resolve("x"), "granted");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        PolicyBuilder granted = PolicyBuilder.named("x.policy").grant(locked.resolve("x"), "read,write,delete");
        PolicyBuilder notGranted =
                PolicyBuilder.named("other.policy").beneath(dir.resolve("elsewhere"), "read,write,delete");
        for (PolicyBuilder policy : List.of(granted, notGranted)) {
            try (ServerFixture broker = ServerFixture.start(policy)) {
                List<String> present = outcomes(broker, locked + "/present/../x");
                for (String other :
                        List.of("/absent/../x", "/file/../x", "/present/absent/../../x", "/absent/absent/../../x")) {
                    assertEquals(
                            present,
                            outcomes(broker, locked + other),
                            policy.name() + ": " + other + " answered otherwise than /present/../x");
                }
                if (policy == granted) {
                    assertEquals(
                            "descriptor of inode " + Trees.inode(locked.resolve("x")),
                            present.get(0),
                            "x itself is granted");
                } else {
                    assertEquals("errno " + Errno.EACCES + " " + broker.denial("read"), present.get(0));
                }
            }
        }
    }

    @Test
    void whereTheHelperMayReadTheClimbStartsFromWhereTheHeadReallyIs() throws Exception {
        Path open = Files.createDirectories(dir.resolve("open/a/b"));
        open = open.getParent().getParent();
        Files.writeString(open.resolve("a/y"), "beside b");
        Files.writeString(open.resolve("y"), "at the top");
        Files.createSymbolicLink(open.resolve("link-to-b"), open.resolve("a/b"));
        try (ServerFixture broker =
                ServerFixture.start(PolicyBuilder.named("open.policy").beneath(open, "read"))) {
            // After a link, .. leaves the link's target.
            assertDescriptorOf(
                    open.resolve("a/y"),
                    broker.serve(Requests.open(bytes(open + "/link-to-b/../y"), Linux.O_RDONLY, 0, false)));
            // The helper may read here, so it may learn that a name is missing: the kernel's errno.
            assertEquals(
                    Errno.ENOENT,
                    broker.serve(Requests.open(bytes(open + "/absent/../y"), Linux.O_RDONLY, 0, false))
                            .errno());
            assertEquals(
                    Errno.ENOTDIR,
                    broker.serve(Requests.open(bytes(open + "/y/../y"), Linux.O_RDONLY, 0, false))
                            .errno());
            assertDescriptorOf(
                    open.resolve("y"), broker.serve(Requests.open(bytes(open + "/a/../y"), Linux.O_RDONLY, 0, false)));
        }
    }
}
