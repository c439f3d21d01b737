package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.policy.KernelGrant;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Statx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel grants as Landlock rights, and which grants become rules: on made-up file status (links,
 * kinds, hard links, permissions) and on a real tree as the launcher looks it up.
 */
class NativeGrantsTest {
    private static final int HELPER_UID = 65534;
    private static final int HELPER_GID = 65534;
    private static final MountTable ONE_ROOT = MountTable.parse("1 0 8:1 / / rw - ext4 /dev/sda rw\n");

    @TempDir
    Path dir;

    private static KernelGrant only(String policyText) throws Exception {
        List<KernelGrant> grants =
                Policy.parse("n.policy", "grant {\n" + policyText + "\n};\n").kernelGrants();
        assertEquals(1, grants.size(), grants::toString);
        return grants.get(0);
    }

    private static KernelGrant tree(String policyText) throws Exception {
        return Policy.parse("n.policy", "grant {\n" + policyText + "\n};\n").kernelGrants().stream()
                .filter(g -> g.kind() == KernelGrant.Kind.TREE)
                .findFirst()
                .orElseThrow();
    }

    private static String permission(String target, String actions) {
        return "permission java.io.FilePermission \"" + target + "\", \"" + actions + "\";";
    }

    @Test
    void eachActionMeansItsRightsAndNoMore() throws Exception {
        assertEquals(Landlock.READ_FILE, NativeGrants.rights(only(permission("/t/-", "read"))));
        assertEquals(
                Landlock.READ_FILE | Landlock.READ_DIR,
                NativeGrants.rights(tree(permission("/t/-", "read") + permission("/t", "read"))),
                "listing directories only where the directory itself is readable too");
        assertEquals(
                NativeGrants.TREE_WRITE,
                NativeGrants.rights(only(permission("/t/-", "write"))),
                "write: write, truncate, make files, directories and links; nothing that removes");
        assertEquals(NativeGrants.TREE_DELETE, NativeGrants.rights(only(permission("/t/-", "delete"))));
        assertEquals(
                NativeGrants.TREE_WRITE | NativeGrants.TREE_DELETE | Landlock.REFER,
                NativeGrants.rights(only(permission("/t/-", "write,delete"))),
                "renames and links between directories only where both write and delete are granted");
        assertEquals(Landlock.EXECUTE, NativeGrants.rights(only(permission("/t/-", "execute"))));
        assertEquals(
                Landlock.READ_FILE | Landlock.EXECUTE,
                NativeGrants.rights(only(permission("/t/f", "read,execute,readlink"))),
                "a single file: read and execute, never a directory right");
        long never =
                Landlock.MAKE_FIFO | Landlock.MAKE_SOCK | Landlock.MAKE_CHAR | Landlock.MAKE_BLOCK | Landlock.IOCTL_DEV;
        assertEquals(0, NativeGrants.rights(only(permission("/t/-", "read,write,delete,execute,readlink"))) & never);
    }

    private static Statx status(int type, int mode, int uid, int gid, int links) {
        return new Statx(type | mode, 1, 1, 0, links, uid, gid, 0, 0, 0, 0, 0, 0, 0, false, 0, 0);
    }

    private static Statx directory(int mode, int uid) {
        return status(Linux.S_IFDIR, mode, uid, 0, 2);
    }

    private static Statx file(int mode, int uid, int links) {
        return status(Linux.S_IFREG, mode, uid, 0, links);
    }

    private static Optional<String> refusal(KernelGrant grant, Statx... chain) {
        return NativeGrants.refusal(grant, List.of(chain), HELPER_UID, HELPER_GID, ONE_ROOT);
    }

    @Test
    void aGrantBecomesARuleOnlyWhereARuleOnItsInodeIsExact() throws Exception {
        KernelGrant file = only(permission("/a/f", "read"));
        KernelGrant tree = only(permission("/a/t/-", "read,write"));
        Statx root = directory(0755, 0);
        Statx a = directory(0755, 0);
        assertEquals(Optional.empty(), refusal(file, root, a, file(0644, 0, 1)));
        assertEquals(Optional.empty(), refusal(tree, root, a, directory(0755, 0)));
        assertEquals(
                Optional.of("reached through a symbolic link"),
                refusal(file, root, status(Linux.S_IFLNK, 0777, 0, 0, 1)));
        assertEquals(Optional.of("not a regular file"), refusal(file, root, a, directory(0755, 0)));
        assertEquals(Optional.of("the file has other hard links"), refusal(file, root, a, file(0644, 0, 2)));
        assertEquals(Optional.of("not a directory"), refusal(tree, root, a, file(0644, 0, 1)));
        assertEquals(
                Optional.of("the helper's user cannot search a directory on its path"),
                refusal(file, root, directory(0700, 0), file(0644, 0, 1)),
                "a file under a 0700 directory of root's, as nobody");
        assertEquals(
                Optional.of("the helper's user cannot search a directory on its path"),
                refusal(tree, root, a, directory(0700, 0)),
                "a tree whose own directory the helper cannot search");
        assertEquals(Optional.empty(), refusal(tree, root, a, directory(0700, HELPER_UID)), "its own directory");
        assertEquals(
                Optional.of("the helper's user may neither read nor execute it"),
                refusal(file, root, a, file(0600, 0, 1)));
        MountTable withProc =
                MountTable.parse("1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 0:5 / /a/t/p rw - proc proc rw\n");
        assertEquals(
                Optional.of("procfs or sysfs is at or beneath it"),
                NativeGrants.refusal(tree, List.of(root, a, directory(0755, 0)), HELPER_UID, HELPER_GID, withProc));
        MountTable bound =
                MountTable.parse("1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 8:1 /a /mnt rw - ext4 /dev/sda rw\n");
        assertEquals(
                Optional.of("another mount shows it under another name"),
                NativeGrants.refusal(file, List.of(root, a, file(0644, 0, 1)), HELPER_UID, HELPER_GID, bound));
        assertEquals(
                Optional.of("the mount table could not be read"),
                NativeGrants.refusal(
                        file, List.of(root, a, file(0644, 0, 1)), HELPER_UID, HELPER_GID, new MountTable(List.of())));
    }

    @Test
    void permissionsAreThoseOfTheOneClassTheKernelPicks() {
        Statx ownerDenied = file(0077, HELPER_UID, 1);
        assertFalse(NativeGrants.permits(ownerDenied, HELPER_UID, HELPER_GID, 4), "the owner class decides, not other");
        assertTrue(NativeGrants.permits(ownerDenied, 1, 1, 4));
        Statx group = status(Linux.S_IFREG, 0040, 0, HELPER_GID, 1);
        assertTrue(NativeGrants.permits(group, HELPER_UID, HELPER_GID, 4));
        assertFalse(NativeGrants.permits(group, HELPER_UID, 7, 4));
        assertTrue(NativeGrants.permits(file(0001, 0, 1), HELPER_UID, HELPER_GID, 1));
    }

    @Test
    void lookUpOnARealTreeKeepsExactGrantsAndSaysWhyOthersStayBrokered() throws Exception {
        // JUnit makes its directory 0700: the helper's user (nobody, as root) must be able to search it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        TreeBuilder t = new TreeBuilder(dir);
        Path data = t.directory("data");
        Path conf = t.file("conf.txt", "c");
        Path linked = t.file("linked.txt", "l");
        Files.createLink(dir.resolve("second-name"), linked);
        t.link("via-link", data);
        Path secret = t.file("secret.txt", "s");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Policy policy = PolicyBuilder.named("n.policy")
                .beneath(data, "read,write")
                .grant(conf, "read")
                .grant(linked, "read")
                .beneath(dir.resolve("via-link"), "read")
                .grant(secret, "read")
                .grant(dir.resolve("missing"), "read")
                .grant(dir + "/*", "read")
                .build();
        int uid = Linux.getuid() == 0 ? HELPER_UID : Linux.getuid();
        int gid = Linux.getuid() == 0 ? HELPER_GID : Linux.getgid();
        // Someone else's secret: as a normal user a file of the user's own mode 0600 is readable by it.
        boolean secretReadable = Linux.getuid() != 0;
        NativeGrants grants = NativeGrants.lookUp(policy, uid, gid, MountTable.lookUp());
        Map<String, String> why = new TreeMap<>();
        for (NativeGrants.Skipped s : grants.skipped()) {
            why.put(dir.relativize(Path.of(s.grant().path())).toString(), s.reason());
        }
        Map<String, String> rules = new TreeMap<>();
        for (Rule r : grants.rules()) {
            rules.put(
                    dir.relativize(r.path()).toString(), Long.toHexString(r.rights()) + (r.direct() ? " direct" : ""));
        }
        Map<String, String> expectedRules = new TreeMap<>(Map.of(
                "data",
                Long.toHexString(Landlock.READ_FILE | Landlock.READ_DIR | NativeGrants.TREE_WRITE),
                "conf.txt",
                Long.toHexString(Landlock.READ_FILE) + " direct"));
        if (secretReadable) {
            expectedRules.put("secret.txt", Long.toHexString(Landlock.READ_FILE) + " direct");
        }
        assertEquals(expectedRules, rules);
        assertEquals("the file has other hard links", why.get("linked.txt"));
        assertEquals("reached through a symbolic link", why.get("via-link"));
        assertTrue(why.get("missing").startsWith("not found at start"), why::toString);
        if (!secretReadable) {
            assertEquals("the helper's user may neither read nor execute it", why.get("secret.txt"));
        }
    }

    /**
     * What a bind mount of a granted directory does, as root (a scratch mount, removed after): the
     * kernel grants a rule's inode under every name that reaches it, so a tree bind-mounted elsewhere
     * would be readable natively under the other name, which the broker (deciding names, resolving
     * beneath the directory it opened) refuses. So such a grant stays brokered. A bind mount inside
     * a granted tree is reached through the tree on both paths alike.
     */
    @Test
    void aBindMountOfAGrantedDirectoryKeepsItBrokeredAndAMountInsideATreeIsSeenAlike() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Linux.getuid() == 0, "needs root: makes bind mounts");
        org.junit.jupiter.api.Assumptions.assumeTrue(Landlock.abi() >= 1, "needs Landlock");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        TreeBuilder t = new TreeBuilder(dir);
        Path granted = t.directory("granted");
        t.file("granted/f", "granted file");
        Path elsewhere = t.directory("elsewhere");
        Path inner = t.directory("granted/inner");
        Path outside = t.directory("outside");
        t.file("outside/x", "mounted inside the tree");
        PolicyBuilder policy = PolicyBuilder.named("bind.policy").beneath(granted, "read");
        mount(granted, elsewhere);
        try {
            NativeGrants whileBound = NativeGrants.lookUp(policy.build(), 65534, 65534, MountTable.lookUp());
            assertEquals(List.of(), whileBound.rules());
            assertEquals(
                    "another mount shows it under another name",
                    whileBound.skipped().get(0).reason());
            // Why: a rule on the directory's inode grants the other name too, which the policy does not.
            try (KernelThread thread = KernelThread.confinedBy(List.of(new Rule(granted, Landlock.READ_FILE, false)));
                    ServerFixture broker = ServerFixture.start(policy)) {
                assertEquals(
                        0,
                        thread.errno(() ->
                                Linux.open(elsewhere + "/f", Linux.O_RDONLY, 0).close()),
                        "the kernel grants the inode under the bind mount's name");
                broker.assertDenied("read", Requests.open(Trees.bytes(elsewhere + "/f"), Linux.O_RDONLY, 0, false));
                assertEquals(0, broker.errno(Requests.open(Trees.bytes(granted + "/f"), Linux.O_RDONLY, 0, false)));
            }
        } finally {
            unmount(elsewhere);
        }
        NativeGrants unbound = NativeGrants.lookUp(policy.build(), 65534, 65534, MountTable.lookUp());
        assertEquals(1, unbound.rules().size(), unbound.skipped()::toString);

        mount(outside, inner);
        try {
            assertEquals(
                    1,
                    NativeGrants.lookUp(policy.build(), 65534, 65534, MountTable.lookUp())
                            .rules()
                            .size(),
                    "a mount inside the tree is not another name of the tree");
            try (KernelThread thread = KernelThread.confinedBy(List.of(new Rule(granted, Landlock.READ_FILE, false)));
                    ServerFixture broker = ServerFixture.start(policy)) {
                assertEquals(
                        0,
                        thread.errno(() ->
                                Linux.open(inner + "/x", Linux.O_RDONLY, 0).close()));
                assertEquals(0, broker.errno(Requests.open(Trees.bytes(inner + "/x"), Linux.O_RDONLY, 0, false)));
                assertEquals(
                        Errno.EACCES,
                        thread.errno(() ->
                                Linux.open(outside + "/x", Linux.O_RDONLY, 0).close()),
                        "the mounted directory under its own name is not granted");
            }
        } finally {
            unmount(inner);
        }
    }

    private static void mount(Path source, Path target) throws Exception {
        run("mount", "--bind", source.toString(), target.toString());
    }

    private static void unmount(Path target) throws Exception {
        run("umount", target.toString());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, command[0] + ": " + out);
    }
}
