package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * File attacks past the policy (docs/ARCHITECTURE.md, "Threat model": the rows on files,
 * metadata changes, links and watches, what exists, and grant roots): a grant root replaced by
 * a symlink for the next run, metadata changes on the helper's own files outside every grant (by
 * path, by descriptor, by O_PATH descriptor, through the JDK), a literal {@code *} in a name,
 * {@code ..} through a directory the helper cannot search, a link's target with only read
 * granted, and inotify on an ungranted directory. The witnesses are the files themselves, read by
 * the test: their content, listing, mode, owner, times and extended attributes.
 */
class FileAttackIT {
    /** Everything the test can see of a file's metadata from outside: a change of any of it is a breach. */
    private static Map<String, String> metadata(Path file) throws Exception {
        Map<String, String> seen = new TreeMap<>();
        for (Map.Entry<String, Object> e : Files.readAttributes(
                        file, "unix:mode,uid,gid,lastModifiedTime,lastAccessTime,ctime", LinkOption.NOFOLLOW_LINKS)
                .entrySet()) {
            seen.put(e.getKey(), String.valueOf(e.getValue()));
        }
        UserDefinedFileAttributeView xattrs =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        for (String name : xattrs.list()) {
            ByteBuffer b = ByteBuffer.allocate(xattrs.size(name));
            xattrs.read(name, b);
            seen.put("user." + name, new String(b.array(), StandardCharsets.UTF_8));
        }
        return seen;
    }

    private static String groupName(int gid) throws Exception {
        Process p = new ProcessBuilder("getent", "group", String.valueOf(gid)).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return line.isEmpty() ? String.valueOf(gid) : line.substring(0, line.indexOf(':'));
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void metadataOfTheHelpersOwnFilesOutsideEveryGrantIsUnchanged(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path victim = s.file("own/victim.txt", "owned by the helper's user, granted nowhere");
            Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r-----"));
            UserDefinedFileAttributeView xattrs =
                    Files.getFileAttributeView(victim, UserDefinedFileAttributeView.class);
            for (String keep : new String[] {"keep", "keep2", "keep3"}) {
                xattrs.write(keep, ByteBuffer.wrap("1".getBytes(StandardCharsets.US_ASCII)));
            }
            if (Sandbox.isRoot()) {
                // Owned by the helper's user (nobody), group root: a chgrp to the helper's own group would show.
                Files.setAttribute(victim, "unix:uid", AttackKit.helperUid());
                Files.setAttribute(victim, "unix:gid", 0);
            }
            int gid = AttackKit.helperGid();
            List<String> ops = new ArrayList<>(List.of(
                    "java.chmod:" + victim,
                    "java.chgrp:" + victim + ":" + groupName(gid),
                    "java.mtime:" + victim,
                    "java.xattr:" + victim));
            // Descriptor 0 is the victim itself: Airlock's stdin, inherited by the helper, as any redirection gives it.
            ops.addAll(AttackKit.raw(
                    jdk, "meta-path:" + victim + ":" + gid, "meta-fd:0:" + gid, "meta-opath:" + victim + ":" + gid));
            Thread.sleep(20); // a change within the clock's granularity would not show in ctime
            Map<String, String> before = metadata(victim);
            AttackKit.Session run = AttackKit.start(AttackKit.command(s, jdk, null, List.of(), ops), victim);
            run.finish();
            List<String> attacks =
                    ops.stream().map(op -> op + " -> " + run.answer(op)).toList();
            assertEquals(
                    before,
                    metadata(victim),
                    "mode, owner, times or xattrs of a file outside every grant changed by the helper (hole 7); attacks: "
                            + attacks);
            for (String op : ops) {
                assertFalse(run.answer(op).startsWith("OK"), op + " got through: " + run.answer(op));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aStarInANameIsALiteralName(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path granted = s.file("reports/report-", "granted report");
            Path star = s.file("reports/report*", "STAR-SECRET");
            Path policy = s.policy("app.policy", FileAccessIT.grant(granted, "read"));
            List<String> ops = List.of("java.read:" + star, "java.fis:" + star, "java.read:" + granted);
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
            assertEquals(
                    "OK granted report", run.answer("java.read:" + granted), "the granted file itself is readable");
            for (String op : ops.subList(0, 2)) {
                assertTrue(
                        run.answer(op).startsWith("EX java."),
                        op + ": a file named report* read with only report- granted (hole 9): " + run.answer(op));
            }
            assertTrue(
                    run.lines().stream().noneMatch(l -> l.contains("STAR-SECRET")),
                    "the ungranted content was printed: " + run.lines());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void dotDotThroughAnUnsearchableDirectoryRevealsNoName(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(
                Sandbox.isRoot(), "needs root: only a root broker can search a directory the helper cannot");
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path file = s.file("pub/f.txt", "public");
            Path hidden = s.data.resolve("private");
            Files.createDirectories(hidden.resolve("present"));
            Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rwx------"));
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("pub/-"), "read"));
            List<String> ops = new ArrayList<>();
            for (String name : List.of("present", "absent")) {
                String through = hidden.resolve(name) + "/../../pub/f.txt";
                ops.addAll(List.of(
                        "java.read:" + through,
                        "java.fis:" + through,
                        "java.exists:" + through,
                        "java.exists:" + hidden.resolve(name)));
            }
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
            for (int i = 0; i < 4; i++) {
                String present = run.answer(ops.get(i)).replace("present", "NAME");
                String absent = run.answer(ops.get(i + 4)).replace("absent", "NAME");
                assertEquals(
                        present,
                        absent,
                        "answers for a present and an absent name in a directory the helper cannot search differ (hole 10): "
                                + ops.get(i) + " -> " + run.answer(ops.get(i)) + " vs " + ops.get(i + 4) + " -> "
                                + run.answer(ops.get(i + 4)));
            }
            assertTrue(file.toFile().exists());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aLinksTargetStaysHiddenWithOnlyReadGranted(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(
                Sandbox.isRoot(),
                "needs root: the helper (nobody) reads any link its own uid can reach with readlink(2), "
                        + "which no sandbox layer covers; only a directory it cannot search hides one");
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            String target = "/nonexistent/TARGET-" + UUID.randomUUID();
            Path locked = Files.createDirectories(s.data.resolve("locked"));
            Path link = Files.createSymbolicLink(locked.resolve("link"), Path.of(target));
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("locked/-"), "read"));
            List<String> ops = new ArrayList<>(List.of("java.readlink:" + link));
            ops.addAll(AttackKit.raw(jdk, "lstat-fds:" + link, "stat-link:" + link));
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
            assertTrue(
                    run.answer("java.readlink:" + link).startsWith("EX java.nio.file.AccessDeniedException"),
                    "readlink is not granted: " + run.answer("java.readlink:" + link));
            String secret = target.substring(target.lastIndexOf('/') + 1);
            for (String op : ops) {
                assertFalse(
                        run.answer(op).contains(secret),
                        op + " revealed the link's target with only read granted (hole 11): " + run.answer(op));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void inotifyOnAnUngrantedDirectorySeesNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path watched = Files.createDirectories(s.data.resolve("watched"));
            s.worldReadable(watched);
            String secret = "secret-" + UUID.randomUUID().toString().substring(0, 8);
            List<String> ops = new ArrayList<>(AttackKit.raw(jdk, "inotify:" + watched));
            ops.add("java.watch:" + watched);
            try (AttackKit.Session run = AttackKit.start(AttackKit.command(s, jdk, null, List.of(), ops))) {
                for (int i = 0; i < ops.size(); i++) {
                    run.await("watching"::equals, "watching line for " + ops.get(i));
                    Files.writeString(watched.resolve(secret + "-" + i), "created by the test");
                    run.send("created");
                }
                run.finish();
                for (String op : ops) {
                    assertFalse(
                            run.answer(op).contains(secret),
                            op + ": the helper saw names created in a directory it may not read (hole 12): "
                                    + run.answer(op));
                }
                for (String op : ops.subList(0, ops.size() - 1)) {
                    assertTrue(
                            run.answer(op).startsWith("REFUSED"),
                            op + ": inotify_add_watch on an ungranted directory must be refused: " + run.answer(op));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aGrantRootCannotBeReplacedByASymlinkForTheNextRun(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path work = Files.createDirectories(s.data.resolve("work"));
            Path out = Files.createDirectories(work.resolve("out"));
            Files.writeString(out.resolve("inside.txt"), "inside");
            s.worldReadable(work);
            // Root-only when we are root (the helper is nobody); as a user, a private directory no grant names.
            Path elsewhere = Files.createDirectories(s.data.resolve("elsewhere"));
            Path secret = Files.writeString(elsewhere.resolve("secret.txt"), "ELSEWHERE-SECRET");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
            Object outKey = Files.readAttributes(
                            out, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            Map<String, String> secretBefore = metadata(secret);
            Map<String, String> elsewhereBefore = metadata(elsewhere);
            Path policy = s.policy(
                    "app.policy",
                    FileAccessIT.grant(work.resolve("-"), "read,write,delete")
                            + FileAccessIT.grant(out.resolve("-"), "read,write,delete"));

            List<String> replace = List.of(
                    "java.delete:" + out.resolve("inside.txt"),
                    "java.delete:" + out,
                    "java.move:" + out + ":" + work.resolve("moved"),
                    "java.symlink:" + out + ":" + elsewhere);
            AttackKit.Session first = AttackKit.runToEnd(s, jdk, policy, replace);
            List<String> firstAnswers =
                    replace.stream().map(op -> op + " -> " + first.answer(op)).toList();
            boolean stillTheDirectory = Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)
                    && outKey.equals(Files.readAttributes(
                                    out, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .fileKey());

            List<String> use = List.of(
                    "java.read:" + out.resolve("secret.txt"),
                    "java.write:" + out.resolve("planted.txt") + ":PWNED",
                    "java.list:" + out);
            AttackKit.Session second = AttackKit.runToEnd(s, jdk, policy, use);
            List<String> secondAnswers =
                    use.stream().map(op -> op + " -> " + second.answer(op)).toList();
            Map<String, String> secretAfter = metadata(secret);
            Map<String, String> elsewhereAfter = metadata(elsewhere);
            try (var listing = Files.list(elsewhere)) {
                assertEquals(
                        List.of("secret.txt"),
                        listing.map(p -> p.getFileName().toString()).toList(),
                        "the next run wrote into a directory no grant names, through the replaced grant root (hole 2); run 1: "
                                + firstAnswers + "; run 2: " + secondAnswers);
            }
            assertEquals(secretBefore, secretAfter, "run 2: " + secondAnswers);
            assertEquals(elsewhereBefore, elsewhereAfter, "run 2: " + secondAnswers);
            assertTrue(
                    second.lines().stream().noneMatch(l -> l.contains("ELSEWHERE-SECRET")),
                    "the next run read a file no grant names through the replaced grant root (hole 2); run 1: "
                            + firstAnswers + "; run 2: " + secondAnswers);
            assertTrue(
                    stillTheDirectory,
                    "the grant root " + out + " was removed or replaced by the helper (hole 2: grant roots protected "
                            + "against unlink, rmdir, rename and replacement); run 1: " + firstAnswers);
        }
    }
}
