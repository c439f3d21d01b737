package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Native code uses the grants the kernel carries exactly (docs/ARCHITECTURE.md, "The kernel
 * path"): raw {@code openat}/{@code read}/{@code write} from JNI (and FFM on JDK 25) read and
 * write files the policy grants beneath {@code DIR/-} and read a single granted file, and are
 * refused everything else; the dynamic loader maps a {@code .so} from a granted directory. The
 * witnesses are the files on disk.
 */
class NativeGrantsIT {
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void nativeCodeReadsAndWritesGrantedFilesAndIsRefusedTheRest(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path db = s.file("native/db.txt", "granted content");
            Path tree = db.getParent();
            Path single = s.file("single.txt", "a single granted file");
            Path secret = s.file("secret.txt", "SECRET-NOT-GRANTED");
            if (Sandbox.isRoot()) {
                // The helper's user (nobody) may create files in the granted directory by its own permissions.
                Files.setAttribute(tree, "unix:uid", AttackKit.helperUid());
            }
            Path created = tree.resolve("created.txt");
            Path outside = s.data.resolve("outside-new.txt");
            Path policy = s.policy(
                    "native.policy",
                    "grant {\n"
                            + "  permission java.io.FilePermission \"" + tree + "/-\", \"read,write\";\n"
                            + "  permission java.io.FilePermission \"" + tree + "\", \"read\";\n"
                            + "  permission java.io.FilePermission \"" + single + "\", \"read\";\n"
                            + "};\n");
            List<String> ops = new ArrayList<>();
            for (String backend : AttackKit.backends(jdk)) {
                ops.add(backend + ".nread:" + db);
                ops.add(backend + ".nread:" + single);
                ops.add(backend + ".nread:" + secret);
                ops.add(backend + ".nwrite:" + single + ":overwritten");
                ops.add(backend + ".nwrite:" + outside + ":not granted");
            }
            String write = AttackKit.backends(jdk).get(0) + ".nwrite:" + created + ":written natively";
            ops.add(write);
            ops.add("java.read:" + db);
            ops.add("java.read:" + secret);
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
            for (String backend : AttackKit.backends(jdk)) {
                assertEquals("OK granted content", run.answer(backend + ".nread:" + db), backend + " beneath DIR/-");
                assertEquals(
                        "OK a single granted file",
                        run.answer(backend + ".nread:" + single),
                        backend + " a single file");
                assertEquals("REFUSED open EACCES", run.answer(backend + ".nread:" + secret), backend);
                assertEquals(
                        "REFUSED open EACCES",
                        run.answer(backend + ".nwrite:" + single + ":overwritten"),
                        backend + ": a single file granted read only");
                assertEquals(
                        "REFUSED open EACCES",
                        run.answer(backend + ".nwrite:" + outside + ":not granted"),
                        backend + ": a directory without a grant");
            }
            assertEquals("OK wrote 16", run.answer(write));
            assertEquals("written natively", Files.readString(created), "the file the native write made");
            if (Sandbox.isRoot()) {
                assertEquals(
                        AttackKit.helperUid(),
                        Files.getAttribute(created, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        "made by the helper itself, as its own user, not by the broker");
            }
            assertEquals("a single granted file", Files.readString(single));
            assertFalse(Files.exists(outside, LinkOption.NOFOLLOW_LINKS), "nothing made outside the grants");
            assertEquals("OK granted content", run.answer("java.read:" + db), "Java reads the grant as before");
            assertTrue(run.answer("java.read:" + secret).startsWith("EX java.nio.file.AccessDeniedException"));
            assertTrue(
                    run.lines().stream().noneMatch(l -> l.contains("SECRET-NOT-GRANTED")),
                    "the ungranted content was printed: " + run.lines());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theDynamicLoaderLoadsALibraryFromAGrantedDirectory(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path libs = Files.createDirectories(s.data.resolve("libs"));
            Path other = Files.createDirectories(s.data.resolve("other"));
            Path granted = build(libs.resolve("libtiny.so"));
            Path ungranted = Files.copy(granted, other.resolve("libtiny.so"));
            s.worldReadable(s.data);
            Path policy = s.policy("lib.policy", FileAccessIT.grant(Path.of(libs + "/-"), "read"));
            List<String> ops = List.of("java.load:" + granted, "java.load:" + ungranted);
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
            assertEquals("OK loaded", run.answer("java.load:" + granted), "System.load of a granted library");
            assertTrue(
                    run.answer("java.load:" + ungranted).startsWith("EX java.lang.UnsatisfiedLinkError"),
                    "a library outside the grants: " + run.answer("java.load:" + ungranted));
        }
    }

    /** A tiny shared library built with the machine's cc. */
    private static Path build(Path library) throws Exception {
        Path source = library.resolveSibling("tiny.c");
        Files.writeString(source, "int airlock_tiny(void) { return 42; }\n");
        Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", library.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "cc failed: " + out);
        Files.delete(source);
        return library;
    }
}
