package dev.airlock.broker;

import static dev.airlock.broker.ServerFixture.assertDescriptorOf;
import static dev.airlock.broker.ServerFixture.assertKernelView;
import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.unix.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * procfs and sysfs are never served by the broker, whatever the policy grants and however the
 * path gets there, and their read grants are listed for the helper's own Landlock rules.
 */
class KernelViewsTest {
    @TempDir
    Path dir;

    @Test
    void aProcGrantIsNeverServedAsTheBrokersOwnView() throws Exception {
        try (ServerFixture broker = ServerFixture.start(PolicyBuilder.named("proc.policy")
                .beneath(Path.of("/proc"), "read,write")
                .beneath(Path.of("/sys"), "read,write"))) {
            for (String path : List.of(
                    "/proc/self/environ",
                    "/proc/self/mem",
                    "/proc/cpuinfo",
                    "/proc/" + Linux.getpid() + "/status",
                    "/proc/999999999/status",
                    "/proc/self",
                    "/sys/kernel",
                    "/sys/no-such-thing")) {
                assertKernelView(broker.serve(Requests.open(bytes(path), Linux.O_RDONLY, 0, false)), "open " + path);
                assertKernelView(broker.serve(Requests.stat(bytes(path), false)), "stat " + path);
                assertKernelView(broker.serve(Requests.access(bytes(path), Linux.F_OK)), "access " + path);
            }
            assertKernelView(broker.serve(Requests.mkdir(bytes("/proc/sys/new"), 0755)), "mkdir");
            assertKernelView(broker.serve(Requests.chmod(bytes("/proc/self/oom_score_adj"), 0644, false)), "chmod");
        }
    }

    @Test
    void noPathOnTheWayLeadsTheBrokerIntoProcOrSys() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        Path granted = tree.directory("granted");
        tree.file("granted/plain.txt", "served");
        tree.link("granted/to-environ", "/proc/self/environ");
        tree.link("granted/to-proc", "/proc");
        try (ServerFixture broker =
                ServerFixture.start(PolicyBuilder.named("all.policy").grant("/-", "read"))) {
            // An ordinary file beneath the same grant is served.
            assertDescriptorOf(
                    granted.resolve("plain.txt"),
                    broker.serve(Requests.open(bytes(granted.resolve("plain.txt")), Linux.O_RDONLY, 0, false)));
            for (String path : List.of(
                    "/proc/self/environ",
                    "/proc/thread-self/environ",
                    "/proc/999999999/status",
                    "/proc/" + Linux.getpid() + "/no-such-file",
                    "/proc",
                    "/sys/kernel",
                    "/sys/no/such/thing",
                    granted + "/to-environ",
                    granted + "/to-proc/self/status",
                    granted + "/to-proc/999999999")) {
                assertKernelView(broker.serve(Requests.open(bytes(path), Linux.O_RDONLY, 0, false)), "open " + path);
                assertKernelView(broker.serve(Requests.stat(bytes(path), false)), "stat " + path);
            }
        }
    }

    @Test
    void theReadGrantsOnProcAndSysAreListedForLandlock() throws Exception {
        assumeTrue(
                Files.isDirectory(Path.of("/sys/kernel")) && Files.isRegularFile(Path.of("/proc/cpuinfo")),
                "needs /proc/cpuinfo and /sys/kernel");
        Path granted = new TreeBuilder(dir).directory("granted");
        try (ServerFixture broker = ServerFixture.start(PolicyBuilder.named("views.policy")
                .grant("/proc/-", "read")
                .grant("/proc/cpuinfo", "read")
                .grant("/sys/kernel/-", "read")
                .grant("/sys/kernel", "read")
                .grant("/proc/self/-", "read")
                .grant("/proc/sys/*", "read")
                .grant("/sys/fs/-", "write")
                .beneath(granted, "read"))) {
            Set<String> rules = new TreeSet<>();
            for (Path p : broker.roots().kernelViewReadRules(broker.policy())) {
                rules.add(p.toString());
            }
            // Not: /sys/kernel as a plain directory grant or /proc/sys/* (a rule would grant all
            // beneath), /proc/self/- (through a link), /sys/fs/- (no read), the ordinary grant.
            assertEquals(Set.of("/proc", "/proc/cpuinfo", "/sys/kernel"), rules);
        }
    }
}
