package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.LinkProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9, hole 11: a symbolic link's target must not be revealed where the policy grants read
 * but not readlink. Before, STAT without following handed the helper an {@code O_PATH} descriptor
 * of the link, and {@code readlinkat(fd, "")} read the target through it. Now the broker answers
 * with the link's status, the agent fills the JDK's attributes from it, and the program sees
 * exactly what an unconfined run sees (compared attribute by attribute, {@code unix:*} included),
 * while {@code Files.readSymbolicLink} is denied and the helper never holds a descriptor of the
 * link (looked for in {@code /proc/self/fd} while the attributes are read, and asked of the broker
 * directly over the channel, as hostile code would). With readlink granted the descriptor comes
 * back, and the target is readable, as the policy says.
 */
class LinkStatIT {

    private static final List<String> LINKS = List.of("link-file", "link-dir", "link-abs", "dangling", "sub/up");

    private static Path tree(Sandbox sandbox) throws Exception {
        Path tree = sandbox.data.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("a.txt"), "alpha");
        Files.writeString(tree.resolve("sub/b.txt"), "bravo!");
        Files.createSymbolicLink(tree.resolve("link-file"), Path.of("a.txt"));
        Files.createSymbolicLink(tree.resolve("link-dir"), Path.of("sub"));
        Files.createSymbolicLink(tree.resolve("link-abs"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("missing"));
        Files.createSymbolicLink(tree.resolve("sub/up"), Path.of("../a.txt"));
        // Read by readlink only (reading a link moves its access time, which the other links' comparison includes).
        Files.createSymbolicLink(tree.resolve("secret-name"), Path.of("the-target-is-the-secret"));
        sandbox.worldReadable(sandbox.data);
        if (Sandbox.isRoot()) {
            // As in the attack: a granted tree the helper's own user cannot search, so that only the
            // broker can look inside it (the helper's own readlink(2) of a link in it fails).
            Files.setPosixFilePermissions(tree, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        return tree;
    }

    /** The operations both runs answer alike: attributes of links and files (before any walk), then walks. */
    private static List<String> comparable(Path tree) {
        List<String> ops = new ArrayList<>();
        for (String link : LINKS) {
            ops.add("attrs:" + tree.resolve(link));
            ops.add("islink:" + tree.resolve(link));
        }
        ops.add("attrs:" + tree.resolve("a.txt"));
        ops.add("islink:" + tree.resolve("a.txt"));
        // Directories are left out of the attribute comparison: a walk reads them and so moves their
        // access time between runs.
        ops.add("walk:" + tree);
        ops.add("walktree:" + tree);
        return ops;
    }

    private static Sandbox.Result confined(Sandbox sandbox, Jdk jdk, Path policy, List<String> ops) throws Exception {
        List<String> args = new ArrayList<>(List.of("-cp", sandbox.app.toString(), LinkProbe.class.getName()));
        args.addAll(ops);
        return Sandbox.Result.of(Sandbox.start(Sandbox.javaCommand(jdk, policy, args)), 120);
    }

    private static Sandbox.Result unconfined(Sandbox sandbox, Jdk jdk, List<String> ops) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(jdk.java().toString(), "-cp", sandbox.app.toString(), LinkProbe.class.getName()));
        command.addAll(ops);
        return Sandbox.Result.of(new ProcessBuilder(command).start(), 120);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aLinkReadOnlyGrantedLooksExactlyAsUnconfinedAndItsTargetStaysHidden(Jdk jdk) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            Path tree = tree(sandbox);
            Path policy = sandbox.policy(
                    "read.policy",
                    "grant { permission java.io.FilePermission \"" + sandbox.data + "/-\", \"read\"; };");
            List<String> ops = comparable(tree);
            String links = String.join(
                    ",", LINKS.stream().map(l -> tree.resolve(l).toString()).toList());
            List<String> confinedOps = new ArrayList<>(ops);
            confinedOps.add("readlink:" + tree.resolve("secret-name"));
            confinedOps.add("link-fds:" + links);
            confinedOps.add("raw-lstat:" + tree.resolve("link-file"));
            confinedOps.add("raw-lstat:" + tree.resolve("sub/up"));
            Sandbox.Result in = confined(sandbox, jdk, policy, confinedOps);
            assertEquals(0, in.exitCode(), in.stderr());

            List<String> unconfinedOps = new ArrayList<>(ops);
            unconfinedOps.add("readlink:" + tree.resolve("secret-name"));
            Sandbox.Result out = unconfined(sandbox, jdk, unconfinedOps);
            assertEquals(0, out.exitCode(), out.stderr());

            for (String op : ops) {
                assertTrue(out.answer(op).startsWith("OK "), op + " unconfined: " + out.answer(op));
                assertEquals(out.answer(op), in.answer(op), op);
            }
            assertTrue(in.answer("islink:" + tree.resolve("link-file")).equals("OK true"));
            assertTrue(in.answer("walk:" + tree).contains("link-dir@"), in.answer("walk:" + tree));

            assertEquals("OK the-target-is-the-secret", out.answer("readlink:" + tree.resolve("secret-name")));
            assertTrue(
                    in.answer("readlink:" + tree.resolve("secret-name"))
                            .startsWith("EX java.nio.file.AccessDeniedException"),
                    in.answer("readlink:" + tree.resolve("secret-name")));
            assertEquals(
                    "OK sightings=0 looks>0=true",
                    in.answer("link-fds:" + links),
                    "no descriptor of a link in the helper");
            // Asked over the channel directly: the status, never a descriptor to read the target through.
            assertEquals("OK stat link=true size=5", in.answer("raw-lstat:" + tree.resolve("link-file")));
            assertEquals("OK stat link=true size=8", in.answer("raw-lstat:" + tree.resolve("sub/up")));
            assertTrue(
                    in.stdout().stream().noneMatch(line -> line.contains("the-target-is-the-secret")),
                    in.stdout().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withReadlinkGrantedTheLinkIsADescriptorAndItsTargetReadable(Jdk jdk) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            Path tree = tree(sandbox);
            Path policy = sandbox.policy(
                    "readlink.policy",
                    "grant { permission java.io.FilePermission \"" + sandbox.data + "/-\", \"read,readlink\"; };");
            List<String> ops =
                    List.of("attrs:" + tree.resolve("link-abs"), "attrs:" + tree.resolve("link-dir"), "walk:" + tree);
            Sandbox.Result out = unconfined(sandbox, jdk, ops);
            List<String> confinedOps = new ArrayList<>(ops);
            confinedOps.add("readlink:" + tree.resolve("secret-name"));
            confinedOps.add("raw-lstat:" + tree.resolve("link-dir"));
            Sandbox.Result in = confined(sandbox, jdk, policy, confinedOps);
            assertEquals(0, in.exitCode(), in.stderr());
            for (String op : ops) {
                assertEquals(out.answer(op), in.answer(op), op);
            }
            assertEquals("OK the-target-is-the-secret", in.answer("readlink:" + tree.resolve("secret-name")));
            assertEquals("OK descriptor target=sub", in.answer("raw-lstat:" + tree.resolve("link-dir")));
        }
    }
}
