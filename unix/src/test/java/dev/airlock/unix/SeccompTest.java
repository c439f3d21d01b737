package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seccomp binding: a malformed program is refused before native memory is touched, a good one installs on its thread only. */
class SeccompTest {
    /** BPF_RET | BPF_K, SECCOMP_RET_ALLOW: a one-instruction program that allows everything. */
    private static final int[] ALLOW_ALL = {0x06, 0, 0, 0x7fff0000};

    @Test
    void aMalformedProgramIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Seccomp.prepare(new int[0]), "empty");
        assertThrows(
                IllegalArgumentException.class, () -> Seccomp.prepare(new int[] {0x06, 0, 0}), "not whole quadruples");
        assertThrows(
                IllegalArgumentException.class,
                () -> Seccomp.prepare(new int[4 * 4097]),
                "longer than the kernel takes");
        assertEquals(4096, Seccomp.prepare(new int[4 * 4096]).length());
    }

    @Test
    void aProgramInstallsOnTheCallingThreadOnly() throws Exception {
        Seccomp.Program program = Seccomp.prepare(ALLOW_ALL);
        assertEquals(1, program.length());
        List<Object> seen = new ArrayList<>();
        Thread thread = new Thread(() -> {
            try {
                ThreadConfinement.setNoNewPrivs();
                Seccomp.install(program);
                seen.add(seccompMode("/proc/thread-self/status"));
            } catch (Exception e) {
                seen.add(e);
            }
        });
        thread.start();
        thread.join();
        assertEquals(List.of("2"), seen, "filter mode on that thread");
        assertEquals("0", seccompMode("/proc/thread-self/status"), "this thread is unchanged");
    }

    private static String seccompMode(String status) throws Exception {
        for (String line : Files.readAllLines(Path.of(status), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("Seccomp:")) {
                return line.substring("Seccomp:".length()).strip();
            }
        }
        throw new AssertionError("no Seccomp line in " + status);
    }
}
