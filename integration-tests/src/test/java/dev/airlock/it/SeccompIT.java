package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.Workloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seccomp allow-list under real workloads ({@link Workloads}) in the real sandbox: what a JVM
 * and an ordinary program do beyond files still works, and the calls the filter refuses fail
 * from Java with the errors the JDK reports for a refusal. The rules one by one are
 * {@code SeccompFilterTest}'s; the JNI and FFM attacks on them are the attack tests'.
 */
class SeccompIT {
    private static Sandbox.Result run(Sandbox s, Jdk jdk, Path policy, String... operations) throws Exception {
        List<String> javaArgs = new ArrayList<>(List.of("-cp", s.app.toString(), Workloads.class.getName()));
        javaArgs.addAll(List.of(operations));
        return Sandbox.Result.of(Sandbox.start(Sandbox.javaCommand(jdk, policy, javaArgs)), 180);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void ordinaryWorkRunsUnderTheAllowList(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path source = s.file("copies/source.txt", "hello copy");
            Path target = s.data.resolve("copies/target.txt");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("copies/-"), "read,write,delete"));
            String copy = "copy:" + source + ">" + target;
            Sandbox.Result r = run(
                    s, jdk, policy, "child-java", "threads:200", "parallel", "selector", copy, "jshell", "tcp-socket");
            assertEquals(0, r.exitCode(), r.stderr());
            // A second JVM started by ProcessBuilder (posix_spawn through jspawnhelper), itself running threads.
            assertEquals("OK exit 0 threads:8 OK 8 threads 28", r.answer("child-java"));
            assertEquals("OK 200 threads 19900", r.answer("threads:200"));
            assertEquals(
                    "OK " + LongStream.rangeClosed(1, 5_000_000).map(x -> x % 7).sum(), r.answer("parallel"));
            assertEquals("OK 1 ping", r.answer("selector"), "epoll and its wakeup");
            assertEquals("OK 10 hello copy", r.answer(copy), "Files.copy between brokered descriptors");
            assertEquals("hello copy", Files.readString(target));
            assertEquals(
                    "OK \"42 from jshell\"", r.answer("jshell"), "JShell compiling and running snippets in the helper");
            assertEquals(
                    "OK opened true",
                    r.answer("tcp-socket"),
                    "a TCP socket may be made; Landlock decides where it goes");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void refusedSocketsFailAsTheJdkReportsARefusal(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = run(s, jdk, null, "unix-socket", "udp");
            // socket(2) fails with EACCES, which the JDK reports as a BindException "Permission denied".
            String answer = r.answer("unix-socket");
            assertTrue(answer.startsWith("EX java.net.") && answer.contains("Permission denied"), answer);
            // A UDP socket is the broker's (the helper's own socket(2) of one is refused: SocketAttackIT);
            // without a policy its bind to an ephemeral port is not granted.
            assertEquals(
                    "EX java.net.BindException: denied by airlock policy (none): listen 0.0.0.0:0", r.answer("udp"));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void metadataChangesAreTheBrokersToDecide(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            // A file the helper's own uid owns, outside every grant: the kernel alone would let it chmod and touch it.
            Path own = s.file("own/witness.txt", "mine");
            if (Sandbox.isRoot()) {
                Files.setAttribute(own, "unix:uid", 65534);
                Files.setAttribute(own, "unix:gid", 65534);
            }
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(own));
            long modified = Files.getLastModifiedTime(own).toMillis();
            Path granted = s.file("granted/witness.txt", "granted");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("granted/-"), "read,write"));

            Sandbox.Result r =
                    run(s, jdk, policy, "chmod:" + own, "touch:" + own, "chmod:" + granted, "touch:" + granted);

            assertTrue(
                    r.answer("chmod:" + own).startsWith("EX java.nio.file.AccessDeniedException"),
                    r.answer("chmod:" + own));
            assertTrue(
                    r.answer("touch:" + own).startsWith("EX java.nio.file.AccessDeniedException"),
                    r.answer("touch:" + own));
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(own)), "mode unchanged");
            assertEquals(modified, Files.getLastModifiedTime(own).toMillis(), "modification time unchanged");
            // Granted: the same calls, refused to the helper, are done by the broker.
            assertEquals("OK changed", r.answer("chmod:" + granted));
            assertEquals("OK changed", r.answer("touch:" + granted));
            assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(granted)));
            assertEquals(0, Files.getLastModifiedTime(granted).toMillis());
        }
    }
}
