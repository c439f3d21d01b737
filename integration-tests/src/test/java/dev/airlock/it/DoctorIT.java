package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.unix.Landlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code airlock doctor} against what this test can observe of the machine by itself: the
 * Landlock ABI by the same system call, {@code /proc/self/status} for seccomp and no_new_privs,
 * util-linux's {@code unshare} for namespaces, the kernel version for the prctl options.
 */
class DoctorIT {
    /** The state column of each layer, keyed by layer name, and the whole output. */
    private record Report(int exitCode, Map<String, String> states, Map<String, String> details, String output) {
        String state(String layer) {
            String state = states.get(layer);
            if (state == null) {
                throw new AssertionError("no line for " + layer + " in\n" + output);
            }
            return state;
        }
    }

    private static Report doctor() throws Exception {
        Sandbox.Result r = Sandbox.Result.of(Sandbox.start(List.of(Sandbox.LAUNCHER.toString(), "doctor")), 60);
        Map<String, String> states = new LinkedHashMap<>();
        Map<String, String> details = new LinkedHashMap<>();
        for (String line : r.stdout()) {
            if (line.startsWith("airlock doctor: ")) {
                continue;
            }
            // NAME, then the state ("ok", "MISSING" or "not used") in a 9-wide column, then the detail.
            String name = line.substring(0, 17).strip();
            String state = line.substring(18, 27).strip();
            states.put(name, state);
            details.put(name, line.substring(28));
        }
        return new Report(r.exitCode(), states, details, String.join("\n", r.stdout()) + "\n" + r.stderr());
    }

    private static String expected(boolean present) {
        return present ? "ok" : "MISSING";
    }

    private static boolean statusHas(String field) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(line -> line.startsWith(field + ":"));
    }

    private static boolean unshareWorks(String flag) throws Exception {
        Process p = new ProcessBuilder("unshare", flag, "true")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** The kernel version as major * 1000 + minor. */
    private static int kernel() {
        String[] v = System.getProperty("os.version").split("[.-]", -1);
        return Integer.parseInt(v[0]) * 1000 + Integer.parseInt(v[1]);
    }

    @Test
    void everyLayerIsReportedAsThisMachineGivesIt() throws Exception {
        Report report = doctor();
        int abi = Landlock.abi();
        assertEquals(expected(abi > 0), report.state("landlock"), report.output());
        if (abi > 0) {
            assertTrue(report.details().get("landlock").startsWith("ABI " + abi + ":"), report.output());
        }
        assertEquals(expected(abi >= 4), report.state("landlock-tcp"), report.output());
        assertEquals(expected(abi >= 6), report.state("landlock-scoping"), report.output());
        assertEquals(expected(statusHas("NoNewPrivs")), report.state("no_new_privs"), report.output());
        assertEquals(expected(statusHas("Seccomp_filters")), report.state("seccomp"), report.output());
        // PR_SET_CHILD_SUBREAPER arrived in Linux 3.4; PR_SET_PDEATHSIG long before.
        assertEquals(expected(kernel() >= 3004), report.state("subreaper"), report.output());
        assertEquals("ok", report.state("parent-death"), report.output());
        assertEquals("not used", report.state("pid-namespace"), report.output());
        if (Sandbox.isRoot()) {
            assertEquals("ok", report.state("uid-drop"), report.output());
            assertTrue(report.details().get("uid-drop").contains("nobody (uid 65534)"), report.output());
            assertEquals(expected(unshareWorks("--net")), report.state("net-namespace"), report.output());
            assertEquals(expected(unshareWorks("--ipc")), report.state("ipc-namespace"), report.output());
            assertEquals(expected(unshareWorks("--mount")), report.state("mnt-namespace"), report.output());
        } else {
            for (String layer : new String[] {"uid-drop", "net-namespace", "ipc-namespace", "mnt-namespace"}) {
                assertEquals("not used", report.state(layer), report.output());
            }
            assertTrue(report.details().get("net-namespace").contains("single-threaded"), report.output());
        }
        boolean missing = report.states().containsValue("MISSING");
        assertEquals(missing ? 1 : 0, report.exitCode(), report.output());
        assertTrue(
                report.output()
                        .contains(
                                missing
                                        ? "airlock doctor: missing: "
                                        : "airlock doctor: every layer Airlock uses is available"),
                report.output());
    }
}
