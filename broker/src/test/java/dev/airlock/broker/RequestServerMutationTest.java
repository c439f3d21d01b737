package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Linux;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MKDIR, UNLINK, RENAME, LINK, SYMLINK, CHMOD and UTIMENS against real files, through {@link
 * RequestServer#serve}: the effect on disk when granted, nothing changed when denied or when a link
 * on the way leads out of the grants, and the kernel's own errno for names that are not names.
 */
class RequestServerMutationTest {
    @TempDir
    Path dir;

    private Path granted;
    private Path readonly;
    private Path other;
    private Path secret;
    private Path nest;
    private ServerFixture broker;

    @BeforeEach
    void setUp() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        granted = tree.directory("granted");
        readonly = tree.directory("readonly");
        other = tree.directory("other");
        secret = tree.directory("secret");
        nest = tree.directory("nest");
        tree.directory("nest/inner/deeper");
        tree.file("granted/in.txt", "inside");
        tree.file("readonly/ro.txt", "read only");
        tree.file("secret/s.txt", "secret");
        tree.directory("granted/sub");
        tree.file("granted/sub/f.txt", "in sub");
        tree.directory("granted/empty");
        tree.link("granted/link", "in.txt");
        tree.link("granted/to-secret", secret.resolve("s.txt"));
        tree.link("granted/dir-to-secret", secret);
        tree.link("granted/dir-to-other", other);
        broker = ServerFixture.start(PolicyBuilder.named("test.policy")
                .beneath(granted, "read,write,delete,readlink")
                .beneath(readonly, "read,readlink")
                .beneath(other, "read,write,delete")
                .beneath(nest, "read,write,delete")
                .beneath(nest.resolve("inner/deeper"), "read,write,execute"));
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private int errno(Request request) {
        return broker.errno(request);
    }

    /** The permission bits a directory made with {@code mode} gets under this process's umask. */
    private int underUmask(int mode) throws Exception {
        Path probe = Files.createDirectory(dir.resolve("umask-probe"));
        int umask = ~Trees.mode(probe) & 0777;
        Files.delete(probe);
        return mode & ~umask;
    }

    // ---- mkdir ----

    @Test
    void mkdirCreatesWithPermissionBitsOnly() throws Exception {
        assertEquals(0, errno(Requests.mkdir(bytes(granted.resolve("new")), 0750)));
        assertTrue(Files.isDirectory(granted.resolve("new")));
        assertEquals(underUmask(0750), Trees.mode(granted.resolve("new")));
        assertEquals(0, errno(Requests.mkdir(bytes(granted.resolve("setid")), 07777)));
        assertEquals(0, Trees.mode(granted.resolve("setid")) & 07000, "no set-id or sticky bit from mkdir");
        assertEquals(0, errno(Requests.mkdir(bytes(granted + "/slash/"), 0755)), "a trailing slash is fine for mkdir");
        assertTrue(Files.isDirectory(granted.resolve("slash")));
    }

    @Test
    void mkdirIsDecidedAsWrite() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied("write", Requests.mkdir(bytes(readonly.resolve("new")), 0755));
        broker.assertDenied("write", Requests.mkdir(bytes(secret.resolve("new")), 0755));
        broker.assertDenied("write", Requests.mkdir(bytes(granted), 0755));
        assertEquals(before, Trees.snapshot(dir));
    }

    @Test
    void mkdirThroughALinkOutOfTheGrantsChangesNothing() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied("write", Requests.mkdir(bytes(granted.resolve("dir-to-secret/new")), 0755));
        // The climb from the link's target needs to read where it leads, which is not granted.
        broker.assertDenied("read", Requests.mkdir(bytes(Path.of(granted + "/dir-to-secret/../secret/new")), 0755));
        assertEquals(before, Trees.snapshot(dir));
        assertFalse(Files.exists(secret.resolve("new")));
    }

    @Test
    void mkdirThroughALinkIntoAnotherGrantIsFollowed() throws Exception {
        assertEquals(0, errno(Requests.mkdir(bytes(granted.resolve("dir-to-other/made")), 0755)));
        assertTrue(Files.isDirectory(other.resolve("made")));
    }

    @Test
    void mkdirGivesTheKernelsErrnos() {
        assertEquals(Errno.EEXIST, errno(Requests.mkdir(bytes(granted.resolve("sub")), 0755)));
        assertEquals(
                Errno.EEXIST, errno(Requests.mkdir(bytes(granted.resolve("link")), 0755)), "a link is not followed");
        assertEquals(Errno.EEXIST, errno(Requests.mkdir(bytes(granted + "/sub/."), 0755)));
        assertEquals(Errno.ENOENT, errno(Requests.mkdir(bytes(granted + "/missing/."), 0755)));
        assertEquals(Errno.ENOTDIR, errno(Requests.mkdir(bytes(granted + "/in.txt/."), 0755)));
        assertEquals(Errno.ENOENT, errno(Requests.mkdir(bytes(granted.resolve("missing/new")), 0755)));
        assertEquals(Errno.ENOTDIR, errno(Requests.mkdir(bytes(granted.resolve("in.txt/new")), 0755)));
        assertEquals(Errno.ENAMETOOLONG, errno(Requests.mkdir(bytes(granted.resolve("n".repeat(256))), 0755)));
        assertEquals(0, errno(Requests.mkdir(bytes(granted.resolve("n".repeat(255))), 0755)));
    }

    // ---- unlink, rmdir, remove ----

    @Test
    void unlinkRemovesAFileAndIsDecidedAsDelete() throws Exception {
        broker.assertDenied("delete", Requests.unlink(bytes(readonly.resolve("ro.txt"))));
        broker.assertDenied("delete", Requests.unlink(bytes(secret.resolve("s.txt"))));
        assertTrue(Files.exists(readonly.resolve("ro.txt")));
        assertEquals(0, errno(Requests.unlink(bytes(granted.resolve("in.txt")))));
        assertFalse(Files.exists(granted.resolve("in.txt")));
    }

    @Test
    void unlinkOfALinkRemovesTheLinkNotItsTarget() throws Exception {
        assertEquals(0, errno(Requests.unlink(bytes(granted.resolve("to-secret")))));
        assertFalse(Files.exists(granted.resolve("to-secret"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("secret", Files.readString(secret.resolve("s.txt")));
    }

    @Test
    void unlinkThroughALinkOutOfTheGrantsChangesNothing() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied("delete", Requests.unlink(bytes(granted.resolve("dir-to-secret/s.txt"))));
        broker.assertDenied("delete", Requests.remove(bytes(granted.resolve("dir-to-secret/s.txt"))));
        assertEquals(before, Trees.snapshot(dir));
    }

    @Test
    void rmdirAndRemoveAsTheKernelAndRemove3Do() throws Exception {
        assertEquals(Errno.EISDIR, errno(Requests.unlink(bytes(granted.resolve("empty")))));
        assertEquals(Errno.ENOTDIR, errno(Requests.rmdir(bytes(granted.resolve("in.txt")))));
        assertEquals(RequestServer.ENOTEMPTY, errno(Requests.rmdir(bytes(granted.resolve("sub")))));
        assertEquals(RequestServer.ENOTEMPTY, errno(Requests.remove(bytes(granted.resolve("sub")))));
        assertTrue(Files.exists(granted.resolve("sub/f.txt")));
        assertEquals(0, errno(Requests.rmdir(bytes(granted + "/empty/"))));
        assertFalse(Files.exists(granted.resolve("empty")));
        assertEquals(0, errno(Requests.remove(bytes(granted.resolve("sub/f.txt")))), "remove on a file");
        assertEquals(0, errno(Requests.remove(bytes(granted.resolve("sub")))), "remove on an empty directory");
        assertFalse(Files.exists(granted.resolve("sub")));
        assertEquals(Errno.ENOENT, errno(Requests.remove(bytes(granted.resolve("sub")))));
    }

    @Test
    void removingNamesThatAreNotNamesGivesTheKernelsErrnos() throws Exception {
        Files.createDirectory(granted.resolve("sub/inner"));
        assertEquals(Errno.EINVAL, errno(Requests.rmdir(bytes(granted + "/sub/inner/."))));
        assertEquals(RequestServer.ENOTEMPTY, errno(Requests.rmdir(bytes(granted + "/sub/inner/.."))));
        assertEquals(Errno.EISDIR, errno(Requests.unlink(bytes(granted + "/sub/inner/."))));
        assertEquals(Errno.EINVAL, errno(Requests.remove(bytes(granted + "/sub/inner/."))));
        assertEquals(Errno.ENOTDIR, errno(Requests.unlink(bytes(granted + "/in.txt/"))));
        assertEquals(Errno.EISDIR, errno(Requests.unlink(bytes(granted + "/sub/"))));
        assertTrue(Files.isDirectory(granted.resolve("sub/inner")));
        // ".." that climbs to the grant root is decided there, and the root itself is not granted.
        broker.assertDenied("delete", Requests.rmdir(bytes(granted + "/sub/..")));
    }

    @Test
    void theFileSystemRootAsANameGivesTheKernelsErrnos() throws Exception {
        // Only <<ALL FILES>> grants "/" itself; every answer here is one the kernel gives for "/"
        // before it would change anything.
        try (ServerFixture root =
                ServerFixture.start(PolicyBuilder.named("all.policy").grant("<<ALL FILES>>", "read,write,delete"))) {
            assertEquals(
                    Errno.EEXIST, root.serve(Requests.mkdir(bytes("/"), 0755)).errno());
            assertEquals(Errno.EBUSY, root.serve(Requests.rmdir(bytes("//"))).errno());
            assertEquals(Errno.EISDIR, root.serve(Requests.unlink(bytes("/"))).errno());
            assertEquals(Errno.EBUSY, root.serve(Requests.remove(bytes("/"))).errno());
            assertEquals(
                    Errno.EEXIST,
                    root.serve(Requests.symlink(bytes("/"), bytes("x"))).errno());
            assertEquals(
                    Errno.EBUSY,
                    root.serve(Requests.rename(bytes("/"), bytes(granted.resolve("x")), false))
                            .errno());
            assertEquals(
                    Errno.EEXIST,
                    root.serve(Requests.rename(bytes(granted.resolve("in.txt")), bytes("/"), true))
                            .errno());
            assertTrue(Files.exists(granted.resolve("in.txt")));
        }
    }

    // ---- rename ----

    @Test
    void renameMovesAndReplaces() throws Exception {
        assertEquals(
                0,
                errno(Requests.rename(
                        bytes(granted.resolve("in.txt")), bytes(granted.resolve("sub/moved.txt")), false)));
        assertEquals("inside", Files.readString(granted.resolve("sub/moved.txt")));
        assertFalse(Files.exists(granted.resolve("in.txt")));
        assertEquals(
                0,
                errno(Requests.rename(
                        bytes(granted.resolve("sub/moved.txt")), bytes(granted.resolve("sub/f.txt")), false)));
        assertEquals("inside", Files.readString(granted.resolve("sub/f.txt")));
    }

    @Test
    void renameWithNoReplaceKeepsTheTarget() throws Exception {
        assertEquals(
                Errno.EEXIST,
                errno(Requests.rename(bytes(granted.resolve("in.txt")), bytes(granted.resolve("sub/f.txt")), true)));
        assertEquals("in sub", Files.readString(granted.resolve("sub/f.txt")));
        assertEquals("inside", Files.readString(granted.resolve("in.txt")));
        assertEquals(
                0, errno(Requests.rename(bytes(granted.resolve("in.txt")), bytes(granted.resolve("fresh.txt")), true)));
        assertEquals("inside", Files.readString(granted.resolve("fresh.txt")));
    }

    @Test
    void renameIsDecidedAsWriteOnBothNames() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied(
                "write",
                Requests.rename(bytes(readonly.resolve("ro.txt")), bytes(granted.resolve("stolen.txt")), false));
        broker.assertDenied(
                "write",
                Requests.rename(bytes(granted.resolve("in.txt")), bytes(secret.resolve("planted.txt")), false));
        broker.assertDenied(
                "write", Requests.rename(bytes(secret.resolve("s.txt")), bytes(granted.resolve("stolen.txt")), false));
        // The SecurityManager checked both names before the call: a denial wins over a missing file.
        broker.assertDenied(
                "write", Requests.rename(bytes(granted.resolve("missing")), bytes(secret.resolve("x")), false));
        assertEquals(before, Trees.snapshot(dir));
    }

    @Test
    void renameThroughALinkOutOfTheGrantsChangesNothing() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied(
                "write",
                Requests.rename(bytes(granted.resolve("dir-to-secret/s.txt")), bytes(granted.resolve("x")), false));
        broker.assertDenied(
                "write",
                Requests.rename(bytes(granted.resolve("in.txt")), bytes(granted.resolve("dir-to-secret/x")), false));
        assertEquals(before, Trees.snapshot(dir));
    }

    @Test
    void renameMovesALinkItselfAndAcrossGrants() throws Exception {
        assertEquals(
                0,
                errno(Requests.rename(bytes(granted.resolve("to-secret")), bytes(other.resolve("moved-link")), false)));
        assertTrue(Files.isSymbolicLink(other.resolve("moved-link")));
        assertEquals(secret.resolve("s.txt"), Files.readSymbolicLink(other.resolve("moved-link")));
        assertEquals(
                0,
                errno(Requests.rename(
                        bytes(granted.resolve("dir-to-other/moved-link")), bytes(granted.resolve("back")), false)),
                "the parent is a link into another grant: followed");
        assertTrue(Files.isSymbolicLink(granted.resolve("back")));
    }

    @Test
    void aGrantRootAndTheDirectoriesAboveItAreNotMoved() throws Exception {
        assertEquals(
                Errno.EBUSY,
                errno(Requests.rename(bytes(nest.resolve("inner/deeper")), bytes(nest.resolve("moved")), false)));
        assertEquals(
                Errno.EBUSY, errno(Requests.rename(bytes(nest.resolve("inner")), bytes(nest.resolve("moved")), false)));
        assertTrue(Files.isDirectory(nest.resolve("inner/deeper")));
        Files.createDirectory(nest.resolve("plain"));
        assertEquals(0, errno(Requests.rename(bytes(nest.resolve("plain")), bytes(nest.resolve("moved")), false)));
    }

    @Test
    void renamingNamesThatAreNotNamesGivesTheKernelsErrnos() throws Exception {
        assertEquals(
                Errno.EBUSY, errno(Requests.rename(bytes(granted + "/sub/."), bytes(granted.resolve("x")), false)));
        assertEquals(
                Errno.EBUSY, errno(Requests.rename(bytes(granted.resolve("empty")), bytes(granted + "/sub/."), false)));
        assertEquals(
                Errno.EEXIST, errno(Requests.rename(bytes(granted.resolve("empty")), bytes(granted + "/sub/."), true)));
        assertEquals(
                Errno.ENOTDIR, errno(Requests.rename(bytes(granted + "/in.txt/"), bytes(granted.resolve("x")), false)));
        assertEquals(0, errno(Requests.rename(bytes(granted + "/empty/"), bytes(granted + "/renamed/"), false)));
        assertTrue(Files.isDirectory(granted.resolve("renamed")));
    }

    // ---- link ----

    @Test
    void linkMakesAnotherNameOfTheSameInode() throws Exception {
        assertEquals(0, errno(Requests.link(bytes(granted.resolve("hard")), bytes(granted.resolve("in.txt")))));
        assertEquals(Trees.inode(granted.resolve("in.txt")), Trees.inode(granted.resolve("hard")));
        // As Linux's link(2): a link is linked itself, not followed.
        assertEquals(0, errno(Requests.link(bytes(granted.resolve("hard-link")), bytes(granted.resolve("to-secret")))));
        assertEquals(Trees.inode(granted.resolve("to-secret")), Trees.inode(granted.resolve("hard-link")));
    }

    @Test
    void linkIsDecidedAsWriteOnBothAndNeverReachesOutside() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied("write", Requests.link(bytes(granted.resolve("stolen")), bytes(secret.resolve("s.txt"))));
        broker.assertDenied(
                "write", Requests.link(bytes(granted.resolve("stolen")), bytes(readonly.resolve("ro.txt"))));
        broker.assertDenied("write", Requests.link(bytes(secret.resolve("planted")), bytes(granted.resolve("in.txt"))));
        broker.assertDenied(
                "write",
                Requests.link(bytes(granted.resolve("stolen")), bytes(granted.resolve("dir-to-secret/s.txt"))));
        broker.assertDenied(
                "write",
                Requests.link(bytes(granted.resolve("dir-to-secret/planted")), bytes(granted.resolve("in.txt"))));
        assertEquals(before, Trees.snapshot(dir));
    }

    @Test
    void linkGivesTheKernelsErrnos() throws Exception {
        assertEquals(
                Errno.EEXIST,
                errno(Requests.link(bytes(granted.resolve("sub/f.txt")), bytes(granted.resolve("in.txt")))));
        assertEquals(
                Errno.EPERM, errno(Requests.link(bytes(granted.resolve("dirlink")), bytes(granted.resolve("sub")))));
        assertEquals(Errno.EPERM, errno(Requests.link(bytes(granted.resolve("dirlink")), bytes(granted + "/sub/."))));
        assertEquals(Errno.EEXIST, errno(Requests.link(bytes(granted.resolve("in.txt")), bytes(granted + "/sub/"))));
        assertEquals(Errno.ENOENT, errno(Requests.link(bytes(granted + "/fresh/"), bytes(granted + "/sub/"))));
        assertEquals(Errno.ENOTDIR, errno(Requests.link(bytes(granted.resolve("x")), bytes(granted + "/in.txt/"))));
        assertEquals(
                Errno.ENOENT,
                errno(Requests.link(bytes(granted.resolve("missing-dir/x")), bytes(granted.resolve("missing")))));
        assertEquals(Errno.EEXIST, errno(Requests.link(bytes(granted + "/sub/."), bytes(granted.resolve("in.txt")))));
        broker.assertDenied("write", Requests.link(bytes(granted + "/sub/.."), bytes(granted.resolve("in.txt"))));
        assertFalse(Files.exists(granted.resolve("dirlink")));
    }

    // ---- symlink ----

    @Test
    void symlinkStoresTheTargetAsSentAndAnOpenThroughItIsDecidedThen() throws Exception {
        byte[] notUtf8 = {'x', (byte) 0xfe, 'y'};
        assertEquals(0, errno(Requests.symlink(bytes(granted.resolve("raw")), notUtf8)));
        assertArrayEquals(
                notUtf8, Linux.readlinkat(Linux.AT_FDCWD, granted.resolve("raw").toString()));
        assertEquals(0, errno(Requests.symlink(bytes(granted.resolve("out")), bytes(secret.resolve("s.txt")))));
        assertEquals(secret.resolve("s.txt"), Files.readSymbolicLink(granted.resolve("out")));
        broker.assertDenied(
                "read", broker.serve(Requests.open(bytes(granted.resolve("out")), Linux.O_RDONLY, 0, false)));
    }

    @Test
    void symlinkIsDecidedAsWriteOnTheLink() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied("write", Requests.symlink(bytes(readonly.resolve("l")), bytes("ro.txt")));
        broker.assertDenied("write", Requests.symlink(bytes(secret.resolve("l")), bytes("s.txt")));
        broker.assertDenied("write", Requests.symlink(bytes(granted.resolve("dir-to-secret/l")), bytes("s.txt")));
        assertEquals(before, Trees.snapshot(dir));
        assertEquals(Errno.EEXIST, errno(Requests.symlink(bytes(granted.resolve("in.txt")), bytes("x"))));
        assertEquals(Errno.EEXIST, errno(Requests.symlink(bytes(granted + "/sub/."), bytes("x"))));
        assertEquals(Errno.ENOENT, errno(Requests.symlink(bytes(granted + "/fresh/"), bytes("x"))));
    }

    // ---- chmod ----

    @Test
    void chmodStripsSetIdBitsAndKeepsStickyOnlyOnDirectories() throws Exception {
        assertEquals(0, errno(Requests.chmod(bytes(granted.resolve("in.txt")), 04755, false)));
        assertEquals(0755, Trees.mode(granted.resolve("in.txt")));
        assertEquals(0, errno(Requests.chmod(bytes(granted.resolve("in.txt")), 03640, false)));
        assertEquals(0640, Trees.mode(granted.resolve("in.txt")));
        assertEquals(0, errno(Requests.chmod(bytes(granted.resolve("sub")), 07777, false)));
        assertEquals(01777, Trees.mode(granted.resolve("sub")));
    }

    @Test
    void chmodFollowsALinkUnlessNoFollowWhichLinuxRefuses() throws Exception {
        assertEquals(0, errno(Requests.chmod(bytes(granted.resolve("link")), 0600, false)));
        assertEquals(0600, Trees.mode(granted.resolve("in.txt")));
        assertEquals(Errno.EOPNOTSUPP, errno(Requests.chmod(bytes(granted.resolve("link")), 0644, true)));
        assertEquals(0600, Trees.mode(granted.resolve("in.txt")));
    }

    @Test
    void chmodIsDecidedAsWriteAndNeverReachesOutside() throws Exception {
        Map<String, String> before = Trees.snapshot(dir);
        broker.assertDenied("write", Requests.chmod(bytes(readonly.resolve("ro.txt")), 0777, false));
        broker.assertDenied("write", Requests.chmod(bytes(granted.resolve("to-secret")), 0777, false));
        broker.assertDenied("write", Requests.chmod(bytes(granted.resolve("dir-to-secret/s.txt")), 0777, false));
        broker.assertDenied("write", Requests.chmod(bytes(granted), 0777, false));
        assertEquals(before, Trees.snapshot(dir));
    }

    // ---- utimens ----

    @Test
    void utimensSetsBothTimesOrKeepsAnOmittedOne() throws Exception {
        Path file = granted.resolve("in.txt");
        assertEquals(0, errno(Requests.utimens(bytes(file), 1_000_000_000_500L, 2_000_000_000_700L, false)));
        assertEquals(
                FileTime.from(1_000_000_000_500L, TimeUnit.NANOSECONDS), Files.getAttribute(file, "lastAccessTime"));
        assertEquals(FileTime.from(2_000_000_000_700L, TimeUnit.NANOSECONDS), Files.getLastModifiedTime(file));
        assertEquals(0, errno(Requests.utimens(bytes(file), Request.OMIT, -1L, false)));
        assertEquals(
                FileTime.from(1_000_000_000_500L, TimeUnit.NANOSECONDS),
                Files.getAttribute(file, "lastAccessTime"),
                "an omitted time stays");
        assertEquals(
                FileTime.from(-1L, TimeUnit.NANOSECONDS),
                Files.getLastModifiedTime(file),
                "one nanosecond before 1970");
        assertEquals(0, errno(Requests.utimens(bytes(file), 5_000_000_000L, Request.OMIT, false)));
        assertEquals(
                FileTime.from(-1L, TimeUnit.NANOSECONDS), Files.getLastModifiedTime(file), "an omitted time stays");
    }

    @Test
    void utimensOmittingBothTimesSucceedsWithoutALookupAsOnLinux() throws Exception {
        assertEquals(
                0,
                kernel(() -> Linux.utimensat(
                        Linux.AT_FDCWD, granted.resolve("missing").toString(), Linux.TIME_OMIT, Linux.TIME_OMIT, 0)),
                "the kernel's answer");
        assertEquals(0, errno(Requests.utimens(bytes(granted.resolve("missing")), Request.OMIT, Request.OMIT, false)));
        broker.assertDenied(
                "write", Requests.utimens(bytes(secret.resolve("s.txt")), Request.OMIT, Request.OMIT, false));
    }

    @Test
    void utimensOnALinkItselfWithNoFollow() throws Exception {
        FileTime fileTime = Files.getLastModifiedTime(granted.resolve("in.txt"));
        assertEquals(0, errno(Requests.utimens(bytes(granted.resolve("link")), Request.OMIT, 3_000_000_000L, true)));
        assertEquals(
                FileTime.from(3, TimeUnit.SECONDS),
                Files.getLastModifiedTime(granted.resolve("link"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(fileTime, Files.getLastModifiedTime(granted.resolve("in.txt")));
        // The link to outside: its own times may change, its target's never.
        assertEquals(
                0, errno(Requests.utimens(bytes(granted.resolve("to-secret")), Request.OMIT, 3_000_000_000L, true)));
        Map<String, String> before = Trees.snapshot(secret);
        broker.assertDenied("write", Requests.utimens(bytes(granted.resolve("to-secret")), 0, 0, false));
        broker.assertDenied("write", Requests.utimens(bytes(readonly.resolve("ro.txt")), 0, 0, false));
        assertEquals(before, Trees.snapshot(secret));
    }

    // ---- names as the kernel sees them ----

    @Test
    void everyRequestAgreesWithTheKernelOnNamesThatAreNotNames() throws Exception {
        // The same request against a twin tree, made directly: the broker must give the same errno.
        Path mineRoot = Files.createDirectory(granted.resolve("t"));
        Path twin = Files.createDirectories(dir.resolve("twin/t"));
        for (Path root : List.of(mineRoot, twin)) {
            Files.createDirectories(root.resolve("d/inner"));
            Files.createDirectories(root.resolve("e"));
            Files.writeString(root.resolve("f"), "f");
            Files.createSymbolicLink(root.resolve("ld"), Path.of("d"));
            Files.createSymbolicLink(root.resolve("lf"), Path.of("f"));
        }
        List<String> shapes = List.of(
                "/d/.",
                "/d/inner/..",
                "/e/.",
                "/missing/.",
                "/f/.",
                "/f/",
                "/d/",
                "/lf/",
                "/ld/",
                "/new/",
                "/missing/x/..",
                "/d//inner//",
                "/ld/inner/.",
                "/d/inner/../.");
        for (String shape : shapes) {
            String mine = mineRoot + shape;
            String theirs = twin + shape;
            int rmdir = errno(Requests.rmdir(bytes(mine)));
            assertEquals(
                    kernel(() -> Linux.unlinkat(Linux.AT_FDCWD, theirs, Linux.AT_REMOVEDIR)), rmdir, "rmdir " + shape);
            int unlink = errno(Requests.unlink(bytes(mine)));
            assertEquals(kernel(() -> Linux.unlinkat(Linux.AT_FDCWD, theirs, 0)), unlink, "unlink " + shape);
            int symlink = errno(Requests.symlink(bytes(mine), bytes("x")));
            assertEquals(
                    kernel(() -> Linux.symlinkat(bytes("x"), Linux.AT_FDCWD, theirs)), symlink, "symlink " + shape);
            int linkNew = errno(Requests.link(bytes(mine), bytes(mineRoot + "/f")));
            assertEquals(
                    kernel(() -> Linux.linkat(Linux.AT_FDCWD, twin + "/f", Linux.AT_FDCWD, theirs, 0)),
                    linkNew,
                    "link to " + shape);
            int linkOld = errno(Requests.link(bytes(mineRoot + "/fresh-link"), bytes(mine)));
            assertEquals(
                    kernel(() -> Linux.linkat(Linux.AT_FDCWD, theirs, Linux.AT_FDCWD, twin + "/fresh-link", 0)),
                    linkOld,
                    "link from " + shape);
            int renameTo = errno(Requests.rename(bytes(mineRoot + "/e"), bytes(mine), true));
            assertEquals(
                    kernel(() -> Linux.renameat2(
                            Linux.AT_FDCWD, twin + "/e", Linux.AT_FDCWD, theirs, Linux.RENAME_NOREPLACE)),
                    renameTo,
                    "rename noreplace to " + shape);
            int mkdir = errno(Requests.mkdir(bytes(mine), 0755));
            assertEquals(kernel(() -> Linux.mkdirat(Linux.AT_FDCWD, theirs, 0755)), mkdir, "mkdir " + shape);
            // With O_CREAT, "x/" is EISDIR before x is looked up; "x/." walks x first.
            int create = errno(Requests.open(bytes(mine), Linux.O_WRONLY | Linux.O_CREAT, 0644, false));
            assertEquals(
                    kernel(() -> Linux.open(theirs, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_NONBLOCK, 0644)
                            .close()),
                    create,
                    "open O_CREAT " + shape);
            int stat = errno(Requests.stat(bytes(mine), true));
            assertEquals(
                    kernel(() -> Linux.open(theirs, Linux.O_PATH | Linux.O_NOFOLLOW, 0)
                            .close()),
                    stat,
                    "lstat " + shape);
            assertEquals(Trees.shape(twin), Trees.shape(mineRoot), "the trees stay twins after " + shape);
        }
    }

    /** The errno of a direct system call, 0 for success. */
    private static int kernel(Call call) {
        try {
            call.run();
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    /** A direct system call for {@link #kernel}. */
    private interface Call {
        void run() throws ErrnoException;
    }
}
