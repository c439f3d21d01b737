package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.Policy;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grant roots opened race-free from {@code /}, never through a link, and protected while the
 * broker runs: the hole 2, where a program with write on {@code work/-} replaced the grant
 * root {@code work/out} by a link to a directory it must not read, and the next run served it.
 */
class GrantRootsTest {
    @TempDir
    Path dir;

    /** {@code work/-} read and write, {@code work/out/-} read and delete (the attack's grants). */
    private Policy attackPolicy(Path work) throws Exception {
        return Policy.parse(
                "attack.policy",
                "grant {\n"
                        + "  permission java.io.FilePermission \"" + work + "/-\", \"read,write\";\n"
                        + "  permission java.io.FilePermission \"" + work.resolve("out") + "/-\", \"read,delete\";\n"
                        + "};\n");
    }

    @Test
    void aGrantRootReplacedByALinkIsNotServedOnTheNextRun() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work/out"));
        work = work.getParent();
        Path forbidden = Files.createDirectory(dir.resolve("forbidden"));
        Files.writeString(forbidden.resolve("secret.txt"), "not granted");
        Policy policy = attackPolicy(work);
        // A first run, started before work/out existed: the program, allowed to write work/-,
        // makes work/out a link to the directory it must not read.
        Files.delete(work.resolve("out"));
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            RequestServer broker = new RequestServer(policy, roots);
            assertEquals(
                    0,
                    broker.serve(Requests.symlink(bytes(work.resolve("out")), bytes(forbidden.toString())))
                            .errno());
            assertEquals(
                    Errno.EACCES,
                    broker.serve(Requests.open(bytes(work.resolve("out/secret.txt")), Linux.O_RDONLY, 0, false))
                            .errno(),
                    "in the same run, the link is decided by the policy");
        }
        assertTrue(Files.isSymbolicLink(work.resolve("out")));
        // The next run.
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            assertEquals(
                    work.toString(),
                    roots.get(work.resolve("out").toString()).directory(),
                    "a root through a link is represented by its deepest link-free ancestor");
            RequestServer broker = new RequestServer(policy, roots);
            RequestServer.Outcome read =
                    broker.serve(Requests.open(bytes(work.resolve("out/secret.txt")), Linux.O_RDONLY, 0, false));
            assertNull(read.fd(), "the broker served the link's target");
            assertEquals(Errno.EACCES, read.errno());
            assertEquals(
                    "denied by airlock policy attack.policy: read",
                    read.reason(),
                    "the link's target is decided by the policy, which grants nothing there");
            assertEquals(
                    Errno.EACCES,
                    broker.serve(Requests.stat(bytes(work.resolve("out/secret.txt")), false))
                            .errno());
            assertEquals(
                    Errno.EACCES,
                    broker.serve(Requests.unlink(bytes(work.resolve("out/secret.txt"))))
                            .errno());
            assertTrue(Files.exists(forbidden.resolve("secret.txt")));
        }
    }

    @Test
    void aGrantThroughALinkGivesWhatThePolicyGrantsWhereItLeads() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Files.writeString(real.resolve("f.txt"), "where it leads");
        Files.createSymbolicLink(dir.resolve("alias"), real);
        Path alias = dir.resolve("alias");
        Policy both = Policy.parse(
                "both.policy",
                "grant {\n"
                        + "  permission java.io.FilePermission \"" + alias + "/-\", \"read\";\n"
                        + "  permission java.io.FilePermission \"" + real + "/-\", \"read\";\n"
                        + "};\n");
        Policy onlyAlias = Policy.parse(
                "alias.policy", "grant { permission java.io.FilePermission \"" + alias + "/-\", \"read\"; };");
        try (GrantRoots roots = GrantRoots.open(both.fileGrantRoots())) {
            RequestServer.Outcome outcome = new RequestServer(both, roots)
                    .serve(Requests.open(bytes(alias.resolve("f.txt")), Linux.O_RDONLY, 0, false));
            assertNotNull(outcome.fd(), "errno " + outcome.errno());
            try (Fd fd = outcome.fd()) {
                assertEquals(
                        Trees.inode(real.resolve("f.txt")),
                        Linux.fstat(fd.get()).ino());
            }
        }
        try (GrantRoots roots = GrantRoots.open(onlyAlias.fileGrantRoots())) {
            assertEquals(dir.toString(), roots.get(alias.toString()).directory());
            RequestServer.Outcome outcome = new RequestServer(onlyAlias, roots)
                    .serve(Requests.open(bytes(alias.resolve("f.txt")), Linux.O_RDONLY, 0, false));
            assertEquals(Errno.EACCES, outcome.errno(), "the link leads where nothing is granted");
        }
    }

    @Test
    void aMissingRootIsRepresentedByItsDeepestExistingAncestor() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        Files.writeString(work.resolve("file"), "a file, not a directory");
        Policy policy = Policy.parse(
                "missing.policy",
                "grant {\n"
                        + "  permission java.io.FilePermission \"" + work.resolve("later/deeper")
                        + "/-\", \"read,write\";\n"
                        + "  permission java.io.FilePermission \"" + work.resolve("file/below") + "/-\", \"read\";\n"
                        + "};\n");
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            assertEquals(
                    work.toString(),
                    roots.get(work.resolve("later/deeper").toString()).directory());
            assertEquals(
                    work.toString(),
                    roots.get(work.resolve("file/below").toString()).directory());
            Files.createDirectories(work.resolve("later/deeper"));
            RequestServer broker = new RequestServer(policy, roots);
            RequestServer.Outcome created = broker.serve(Requests.open(
                    bytes(work.resolve("later/deeper/new.txt")), Linux.O_WRONLY | Linux.O_CREAT, 0644, false));
            assertNotNull(created.fd(), "errno " + created.errno());
            created.fd().close();
            assertTrue(Files.exists(work.resolve("later/deeper/new.txt")));
        }
    }

    @Test
    void grantRootsAndTheDirectoriesAboveThemAreNeitherRemovedNorMovedNorReplaced() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work/out")).getParent();
        Files.createSymbolicLink(dir.resolve("link-to-work"), work);
        Files.createDirectory(work.resolve("other"));
        Files.createDirectory(work.resolve("out/sub"));
        Policy policy = Policy.parse(
                "protect.policy",
                "grant {\n"
                        + "  permission java.io.FilePermission \"" + dir + "/-\", \"read,write,delete\";\n"
                        + "  permission java.io.FilePermission \"" + work.resolve("out")
                        + "/-\", \"read,write,delete\";\n"
                        + "};\n");
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            RequestServer broker = new RequestServer(policy, roots);
            Path out = work.resolve("out");
            Files.createSymbolicLink(work.resolve("link-to-out"), out);
            Map<String, String> before = Trees.snapshot(dir);
            assertEquals(Errno.EBUSY, broker.serve(Requests.rmdir(bytes(out))).errno(), "rmdir of a root");
            assertEquals(Errno.EBUSY, broker.serve(Requests.remove(bytes(out))).errno(), "remove of a root");
            assertEquals(Errno.EBUSY, broker.serve(Requests.unlink(bytes(out))).errno(), "unlink of a root");
            assertEquals(
                    Errno.EBUSY, broker.serve(Requests.rmdir(bytes(out + "/"))).errno(), "rmdir of a root spelt x/");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rmdir(bytes(work.resolve("other/../out"))))
                            .errno(),
                    "by another spelling");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rmdir(bytes(work))).errno(),
                    "rmdir of a directory above a root");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rmdir(bytes(dir.resolve("link-to-work/out"))))
                            .errno(),
                    "a root through a link to the directory above it");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rename(bytes(out), bytes(work.resolve("moved")), false))
                            .errno(),
                    "a root as the source");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rename(bytes(work.resolve("other")), bytes(out), false))
                            .errno(),
                    "a root as the replaced target");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rename(bytes(work.resolve("other")), bytes(work), false))
                            .errno(),
                    "a directory above a root as the replaced target");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rename(bytes(work), bytes(dir.resolve("w2")), false))
                            .errno(),
                    "a directory above a root as the source");
            assertEquals(
                    Errno.EBUSY,
                    broker.serve(Requests.rmdir(bytes(work.resolve("link-to-out/sub/../../out"))))
                            .errno(),
                    "the root reached through a link");
            assertEquals("", Trees.diff(before, Trees.snapshot(dir)));
            // A link to a root is a name of its own: removing it is fine, what it leads to stays.
            assertEquals(
                    0,
                    broker.serve(Requests.unlink(bytes(work.resolve("link-to-out"))))
                            .errno());
            assertTrue(Files.isDirectory(out));
            // Everything else beneath the grants still changes as granted.
            assertEquals(
                    0,
                    broker.serve(Requests.rename(bytes(out.resolve("sub")), bytes(out.resolve("sub2")), false))
                            .errno());
            assertEquals(
                    0,
                    broker.serve(Requests.rmdir(bytes(work.resolve("other")))).errno());
            assertFalse(Files.exists(work.resolve("other")));
            assertTrue(Files.isDirectory(out.resolve("sub2")));
        }
    }
}
