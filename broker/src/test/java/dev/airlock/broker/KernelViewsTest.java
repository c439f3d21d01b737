package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.ipc.Errno;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.Linux;
import dev.airlock.policy.Policy;
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

    private static void assertRefused(RequestServer.Outcome outcome, String what) {
        if (outcome.fd() != null) {
            outcome.fd().close();
        }
        assertEquals(Errno.EACCES, outcome.errno(), what + ": " + outcome);
        assertEquals(KernelViews.REASON, outcome.reason(), what);
    }

    @Test
    void aProcGrantIsNeverServedAsTheBrokersOwnView() throws Exception {
        Policy policy = Policy.parse("proc.policy", "grant {\n"
                + "  permission java.io.FilePermission \"/proc/-\", \"read,write\";\n"
                + "  permission java.io.FilePermission \"/sys/-\", \"read,write\";\n"
                + "};\n");
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            RequestServer broker = new RequestServer(policy, roots);
            for (String path : List.of("/proc/self/environ", "/proc/self/mem", "/proc/cpuinfo", "/proc/" + Linux.getpid() + "/status",
                    "/proc/999999999/status", "/proc/self", "/sys/kernel", "/sys/no-such-thing")) {
                assertRefused(broker.serve(Requests.open(bytes(path), Linux.O_RDONLY, 0, false)), "open " + path);
                assertRefused(broker.serve(Requests.stat(bytes(path), false)), "stat " + path);
                assertRefused(broker.serve(Requests.access(bytes(path), Linux.F_OK)), "access " + path);
            }
            assertRefused(broker.serve(Requests.mkdir(bytes("/proc/sys/new"), 0755)), "mkdir");
            assertRefused(broker.serve(Requests.chmod(bytes("/proc/self/oom_score_adj"), 0644, false)), "chmod");
        }
    }

    @Test
    void noPathOnTheWayLeadsTheBrokerIntoProcOrSys() throws Exception {
        Path granted = Files.createDirectory(dir.resolve("granted"));
        Files.writeString(granted.resolve("plain.txt"), "served");
        Files.createSymbolicLink(granted.resolve("to-environ"), Path.of("/proc/self/environ"));
        Files.createSymbolicLink(granted.resolve("to-proc"), Path.of("/proc"));
        Policy policy = Policy.parse("all.policy", "grant { permission java.io.FilePermission \"/-\", \"read\"; };");
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            RequestServer broker = new RequestServer(policy, roots);
            RequestServer.Outcome plain = broker.serve(Requests.open(bytes(granted.resolve("plain.txt")), Linux.O_RDONLY, 0, false));
            assertNotNull(plain.fd(), "an ordinary file beneath the same grant: errno " + plain.errno());
            plain.fd().close();
            for (String path : List.of("/proc/self/environ", "/proc/thread-self/environ", "/proc/999999999/status",
                    "/proc/" + Linux.getpid() + "/no-such-file", "/proc", "/sys/kernel", "/sys/no/such/thing",
                    granted + "/to-environ", granted + "/to-proc/self/status", granted + "/to-proc/999999999")) {
                assertRefused(broker.serve(Requests.open(bytes(path), Linux.O_RDONLY, 0, false)), "open " + path);
                assertRefused(broker.serve(Requests.stat(bytes(path), false)), "stat " + path);
            }
        }
    }

    @Test
    void theReadGrantsOnProcAndSysAreListedForLandlock() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel")) && Files.isRegularFile(Path.of("/proc/cpuinfo")),
                "needs /proc/cpuinfo and /sys/kernel");
        Path granted = Files.createDirectory(dir.resolve("granted"));
        Policy policy = Policy.parse("views.policy", "grant {\n"
                + "  permission java.io.FilePermission \"/proc/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"/proc/cpuinfo\", \"read\";\n"
                + "  permission java.io.FilePermission \"/sys/kernel/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"/sys/kernel\", \"read\";\n"
                + "  permission java.io.FilePermission \"/proc/self/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"/proc/sys/*\", \"read\";\n"
                + "  permission java.io.FilePermission \"/sys/fs/-\", \"write\";\n"
                + "  permission java.io.FilePermission \"" + granted + "/-\", \"read\";\n"
                + "};\n");
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            Set<String> rules = new TreeSet<>();
            for (Path p : roots.kernelViewReadRules(policy)) {
                rules.add(p.toString());
            }
            // Not: /sys/kernel as a plain directory grant or /proc/sys/* (a rule would grant all
            // beneath), /proc/self/- (through a link), /sys/fs/- (no read), the ordinary grant.
            assertEquals(Set.of("/proc", "/proc/cpuinfo", "/sys/kernel"), rules);
        }
    }
}
