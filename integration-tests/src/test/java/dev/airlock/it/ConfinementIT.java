package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the kernel enforces on the helper: identity, no_new_privs, seccomp, Landlock, descriptors. */
class ConfinementIT {
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void helperRunsConfinedWithNoPrivileges(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = s.run(jdk, null, "status");
            String status = r.answer("status");
            assertTrue(status.startsWith("OK "), status);
            if (Sandbox.isRoot()) {
                assertTrue(status.contains("Uid: 65534 65534 65534 65534"), status);
                assertTrue(status.contains("Gid: 65534 65534 65534 65534"), status);
                assertTrue(
                        status.contains("Groups:|") || status.endsWith("Groups:"),
                        "no supplementary groups: " + status);
            } else {
                String uid = String.valueOf(new com.sun.security.auth.module.UnixSystem().getUid());
                assertTrue(status.contains("Uid: " + uid + " " + uid + " " + uid + " " + uid), status);
            }
            assertTrue(status.contains("CapEff: 0000000000000000"), status);
            assertTrue(status.contains("NoNewPrivs: 1"), status);
            assertTrue(status.contains("Seccomp: 2"), status);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void landlockStopsDirectAccessEvenToFilesTheUserCouldRead(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            // World-readable, so only Landlock (not the uid) can stop a direct read; no policy, so the broker refuses
            // too.
            Path file = s.file("plain/readable.txt", "anyone may read this");
            Sandbox.Result r = s.run(jdk, null, "nio-readallbytes:" + file, "nio-readallbytes:/etc/hostname");
            assertTrue(
                    r.answer("nio-readallbytes:" + file)
                            .startsWith(
                                    "EX java.nio.file.AccessDeniedException: " + file + ": denied by airlock policy"),
                    r.answer("nio-readallbytes:" + file));
            assertTrue(
                    r.answer("nio-readallbytes:/etc/hostname").startsWith("EX java.nio.file.AccessDeniedException"),
                    r.answer("nio-readallbytes:/etc/hostname"));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void networkIsClosedByTheKernel(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                java.net.ServerSocket listener =
                        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String target = "127.0.0.1:" + listener.getLocalPort();
            Sandbox.Result r = s.run(jdk, null, "tcp-connect:" + target, "tcp-bind", "unix-socket");
            // Java's connects and binds are the broker's, decided by the (empty) policy; native code's
            // stay refused by Landlock (SocketAttackIT).
            String connect = r.answer("tcp-connect:" + target);
            assertTrue(
                    connect.startsWith("EX java.net.SocketException: denied by airlock policy ")
                            && connect.endsWith(": connect " + target),
                    "the broker denies TCP connect: " + connect);
            String bind = r.answer("tcp-bind");
            assertTrue(
                    bind.startsWith("EX java.net.BindException: denied by airlock policy ")
                            && bind.endsWith(": listen 127.0.0.1:0"),
                    "the broker denies TCP bind: " + bind);
            listener.setSoTimeout(300);
            org.junit.jupiter.api.Assertions.assertThrows(
                    java.net.SocketTimeoutException.class, listener::accept, "nothing reached the listener");
            // The JDK reports EACCES from socket(2) as a BindException; what matters is that the kernel refused.
            assertTrue(
                    r.answer("unix-socket").startsWith("EX java.net.")
                            && r.answer("unix-socket").contains("Permission denied"),
                    "seccomp refuses AF_UNIX sockets: " + r.answer("unix-socket"));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void jvmBehavesAsUnconfined(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result inside = s.run(jdk, null, "props");
            Process plain = new ProcessBuilder(
                            jdk.java().toString(), "-cp", s.app.toString(), "dev.airlock.it.app.Probe", "props")
                    .start();
            Sandbox.Result outside = Sandbox.Result.of(plain, 60);
            String[] in = inside.answer("props").split(" ", -1);
            String[] out = outside.answer("props").split(" ", -1);
            assertEquals(
                    out[0] + " " + out[1] + " " + out[2] + " " + out[3],
                    in[0] + " " + in[1] + " " + in[2] + " " + in[3],
                    "OK, availableProcessors, maxMemory, default time zone");
            if (Sandbox.isRoot()) {
                assertEquals(
                        "nobody /nonexistent", in[4] + " " + in[5], "user.name and user.home as for nobody outside");
            } else {
                assertEquals(out[4] + " " + out[5], in[4] + " " + in[5]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void helperInheritsNothingButStdioAndItsChannel(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.file("granted/in.txt", "x");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, "fds");
            String fds = r.answer("fds");
            assertTrue(fds.startsWith("OK "), fds);
            List<String> unexpected = new ArrayList<>();
            Path javaHome = jdk.java().toRealPath().getParent().getParent();
            for (String entry : fds.substring(3).split("\\|", -1)) {
                String[] kv = entry.split("=", 2);
                int fd = Integer.parseInt(kv[0]);
                String target = kv[1];
                if (fd <= 2) {
                    continue; // the test's pipes
                }
                if (fd == 3) {
                    assertTrue(target.startsWith("socket:"), "descriptor 3 is the channel: " + target);
                    continue;
                }
                // What the helper JVM opened itself: its own runtime, its class path, Airlock's jar and stub.
                boolean own = target.startsWith(javaHome.toString())
                        || target.startsWith(s.app.toString())
                        || target.endsWith("airlock.jar")
                        || target.contains("libjffi")
                        || target.equals("/dev/random")
                        || target.equals("/dev/urandom")
                        || target.startsWith("/proc/");
                if (!own) {
                    unexpected.add(entry);
                }
            }
            assertEquals(List.of(), unexpected, "descriptors the helper did not open itself: " + fds);
            assertTrue(
                    !fds.contains(s.data.resolve("granted").toString()), "the broker's grant roots stay in the broker");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void rootOnlyFileIsReadThroughAGrantWhileTheHelperIsNobody(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(
                Sandbox.isRoot(),
                "needs root: the helper runs as another user (nobody) only when Airlock runs as root");
        try (Sandbox s = new Sandbox()) {
            Path key = s.file("keys/server.key", "root-only key");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Path policy = s.policy("app.policy", FileAccessIT.grant(key, "read"));
            Sandbox.Result r = s.run(jdk, policy, "status", "fis:" + key, "nio-readstring:" + key);
            assertTrue(r.answer("status").contains("Uid: 65534"), r.answer("status"));
            assertEquals("OK root-only key", r.answer("fis:" + key));
            assertEquals("OK root-only key", r.answer("nio-readstring:" + key));
        }
    }
}
