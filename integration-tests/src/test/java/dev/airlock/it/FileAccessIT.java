package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Brokered file access end to end: real broker, real confined helper, the probe application
 * using each JDK API in scope, on JDK 17 and JDK 25 helpers.
 */
class FileAccessIT {
    static final List<String> READS = List.of(
            "fis",
            "filereader",
            "raf-r",
            "nio-channel",
            "nio-inputstream",
            "nio-readallbytes",
            "nio-readstring",
            "nio-filechannel");
    static final List<String> JAVA_IO_READS = List.of("fis", "filereader", "raf-r");
    static final List<String> WRITES = List.of(
            "fos",
            "filewriter",
            "raf-rw",
            "raf-rws",
            "raf-rwd",
            "nio-outputstream",
            "nio-write",
            "nio-writestring",
            "nio-filechannel-write");

    static String grant(Path target, String actions) {
        return "grant {\n  permission java.io.FilePermission \"" + target + "\", \"" + actions + "\";\n};\n";
    }

    static String[] ops(List<String> names, Path path) {
        return names.stream().map(n -> n + ":" + path).toArray(String[]::new);
    }

    static String denied(String op, Path path, Path policy, String actions) {
        return denied(op, path, policy, actions, null);
    }

    /**
     * The program's exception for a denial of {@code actions} whose reason names the closest
     * grant {@code closest} ({@code FILE:LINE "TARGET" ...}), or none when it is null.
     */
    static String denied(String op, Path path, Path policy, String actions, String closest) {
        String reason = "denied by airlock policy " + policy + ": " + actions
                + (closest == null ? "" : " (closest grant: " + closest + ")");
        boolean javaIo = op.startsWith("fis")
                || op.startsWith("filereader")
                || op.startsWith("raf")
                || op.startsWith("fos")
                || op.startsWith("filewriter");
        return javaIo
                ? "EX java.io.FileNotFoundException: " + path + " (" + reason + ")"
                : "EX java.nio.file.AccessDeniedException: " + path + ": " + reason;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void grantedReadWorksThroughEveryApi(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("granted/in.txt", "granted content");
            Path policy = s.policy("app.policy", grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, ops(READS, file));
            for (String op : READS) {
                assertEquals("OK granted content", r.answer(op + ":" + file), op);
            }
            assertEquals(0, r.exitCode());
            assertEquals("", r.stderr(), "Airlock adds nothing to the application's stderr");
            assertEquals(READS.size(), r.stdout().size(), "Airlock adds nothing to the application's stdout");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void ungrantedReadIsDeniedWithTheJdksExceptionAndAirlocksReason(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("secret/s.txt", "secret content");
            s.file("granted/in.txt", "granted content");
            Path policy = s.policy("app.policy", grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, ops(READS, file));
            for (String op : READS) {
                assertEquals(denied(op, file, policy, "read"), r.answer(op + ":" + file), op);
            }
            assertEquals(0, r.exitCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void missingGrantedFileIsReportedAsWithoutAirlock(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.file("granted/in.txt", "granted content");
            Path missing = s.data.resolve("granted/missing.txt");
            Path policy = s.policy("app.policy", grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, "fis:" + missing, "raf-r:" + missing, "nio-readallbytes:" + missing);
            assertEquals(
                    "EX java.io.FileNotFoundException: " + missing + " (No such file or directory)",
                    r.answer("fis:" + missing));
            assertEquals(
                    "EX java.io.FileNotFoundException: " + missing + " (No such file or directory)",
                    r.answer("raf-r:" + missing));
            assertEquals("EX java.nio.file.NoSuchFileException: " + missing, r.answer("nio-readallbytes:" + missing));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void writeUnderReadOnlyGrantIsRefusedAndCreatesNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path existing = s.file("granted/in.txt", "original");
            Path policy = s.policy("app.policy", grant(s.data.resolve("granted/-"), "read"));
            List<String> operations = new java.util.ArrayList<>();
            for (String op : WRITES) {
                operations.add(op + ":" + s.data.resolve("granted/new-" + op));
                operations.add(op + ":" + existing);
            }
            Sandbox.Result r = s.run(jdk, policy, operations.toArray(String[]::new));
            // The read grant covers both paths and lacks write: each denial names it.
            String closest = policy + ":2 \"" + s.data.resolve("granted/-") + "\" grants read, not write";
            for (String op : WRITES) {
                Path fresh = s.data.resolve("granted/new-" + op);
                String actions = op.startsWith("raf") ? "read,write" : "write";
                assertEquals(denied(op, fresh, policy, actions, closest), r.answer(op + ":" + fresh), op);
                assertFalse(Files.exists(fresh), op + " created " + fresh);
                assertEquals(denied(op, existing, policy, actions, closest), r.answer(op + ":" + existing), op);
            }
            assertEquals("original", Files.readString(existing));
        }
    }

    /**
     * A denied NIO change (not an open) reads like a denied open: the JDK's AccessDeniedException
     * for the path with the policy's reason, and nothing changes on disk.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void deniedChangesSayWhyAndChangeNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path existing = s.file("granted/in.txt", "original");
            Path fresh = s.data.resolve("granted/new-dir");
            Path policy = s.policy("app.policy", grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(
                    jdk,
                    policy,
                    "nio-mkdir:" + fresh,
                    "nio-delete:" + existing,
                    "nio-move:" + existing,
                    "nio-chmod:" + existing);
            String reason = ": denied by airlock policy " + policy + ": ";
            // The program is told which grant came closest, and what it lacks.
            assertEquals(
                    "EX java.nio.file.AccessDeniedException: " + fresh + reason + "write (closest grant: " + policy
                            + ":2 \"" + s.data.resolve("granted/-") + "\" grants read, not write)",
                    r.answer("nio-mkdir:" + fresh));
            for (String op : List.of("nio-delete", "nio-chmod")) {
                String answer = r.answer(op + ":" + existing);
                assertTrue(
                        answer.startsWith("EX java.nio.file.AccessDeniedException: " + existing + reason),
                        op + ": " + answer);
            }
            // Two paths, as the JDK words them: "SOURCE -> TARGET: reason".
            String moved = r.answer("nio-move:" + existing);
            assertTrue(
                    moved.startsWith("EX java.nio.file.AccessDeniedException: " + existing + " -> " + existing
                            + ".moved" + reason),
                    moved);
            assertFalse(Files.exists(fresh));
            assertFalse(Files.exists(Path.of(existing + ".moved")));
            assertEquals("original", Files.readString(existing));
            assertEquals(
                    "rw-r--r--",
                    java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void writeUnderWriteGrantWorksThroughEveryApi(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path out = s.data.resolve("out");
            Files.createDirectories(out);
            s.worldReadable(out);
            Path appended = s.file("out/appended.txt", "start");
            Path policy = s.policy("app.policy", grant(out.resolve("-"), "read,write"));
            List<String> operations = new java.util.ArrayList<>();
            for (String op : WRITES) {
                operations.add(op + ":" + out.resolve(op + ".txt"));
            }
            operations.add("fos-append:" + appended);
            Sandbox.Result r = s.run(jdk, policy, operations.toArray(String[]::new));
            for (String op : WRITES) {
                Path written = out.resolve(op + ".txt");
                assertEquals("OK wrote", r.answer(op + ":" + written), op);
                assertEquals("written by probe", Files.readString(written), op);
            }
            assertEquals("OK appended", r.answer("fos-append:" + appended));
            assertEquals("start+written by probe", Files.readString(appended));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void symlinksAndDotDotAreDecidedByWhereTheyLead(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path inside = s.file("granted/in.txt", "granted content");
            Path secret = s.file("secret/s.txt", "secret content");
            Path other = s.file("other/o.txt", "other content");
            Path outLink = s.data.resolve("granted/out-link");
            Files.createSymbolicLink(outLink, secret);
            Path inLink = s.data.resolve("granted/in-link");
            Files.createSymbolicLink(inLink, Path.of("in.txt"));
            Path toOther = s.data.resolve("granted/to-other");
            Files.createSymbolicLink(toOther, other);
            Path dirLink = s.data.resolve("granted/dir-link");
            Files.createSymbolicLink(dirLink, s.data.resolve("secret"));
            Path dotDot = Path.of(s.data.resolve("granted") + "/../secret/s.txt");
            Path policy = s.policy("app.policy", grant(s.data.resolve("granted/-"), "read") + grant(other, "read"));
            Sandbox.Result r = s.run(
                    jdk,
                    policy,
                    "fis:" + outLink,
                    "nio-readallbytes:" + outLink,
                    "fis:" + inLink,
                    "nio-readallbytes:" + inLink,
                    "fis:" + toOther,
                    "fis:" + dirLink + "/s.txt",
                    "fis:" + dotDot,
                    "nio-readallbytes:" + dotDot);
            assertEquals(
                    "EX java.io.FileNotFoundException: " + outLink + " (denied by airlock policy " + policy + ": read)",
                    r.answer("fis:" + outLink));
            assertEquals(
                    "EX java.nio.file.AccessDeniedException: " + outLink + ": denied by airlock policy " + policy
                            + ": read",
                    r.answer("nio-readallbytes:" + outLink));
            assertEquals("OK granted content", r.answer("fis:" + inLink));
            assertEquals("OK granted content", r.answer("nio-readallbytes:" + inLink));
            assertEquals(
                    "OK other content", r.answer("fis:" + toOther), "an absolute link into another grant is followed");
            assertEquals(
                    "EX java.io.FileNotFoundException: " + dirLink + "/s.txt (denied by airlock policy " + policy
                            + ": read)",
                    r.answer("fis:" + dirLink + "/s.txt"));
            assertEquals(
                    "EX java.io.FileNotFoundException: " + dotDot + " (denied by airlock policy " + policy + ": read)",
                    r.answer("fis:" + dotDot));
            assertEquals(
                    "EX java.nio.file.AccessDeniedException: " + dotDot + ": denied by airlock policy " + policy
                            + ": read",
                    r.answer("nio-readallbytes:" + dotDot));
            assertEquals("granted content", Files.readString(inside));
        }
    }
}
