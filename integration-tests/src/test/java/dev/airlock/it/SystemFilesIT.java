package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The system files a JVM and its libraries read (SandboxPlanner's system files): the same answers
 * inside the sandbox as outside, with no policy at all. AWT renders text headless through
 * fontconfig and FreeType, which read {@code /etc/fonts}, the font directories and fontconfig's
 * cache by themselves (native code, never brokered); the time zone, {@code /etc/hosts}, the CA
 * certificates and the locale are the JDK's.
 */
class SystemFilesIT {
    private static final List<String> OPERATIONS = List.of("fonts", "timezone", "hosts", "trust", "locale");
    private static final List<String> HEADLESS = List.of("-Djava.awt.headless=true");

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void fontsTimeZoneHostsCertificatesAndLocaleAreTheSameInsideAndOutside(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            String[] operations = OPERATIONS.toArray(String[]::new);
            Sandbox.Result outside = HostRun.run(HostRun.plain(s, jdk, HEADLESS, operations));
            Sandbox.Result inside = HostRun.run(HostRun.sandboxed(s, jdk, List.of(), HEADLESS, operations));
            assertEquals(0, outside.exitCode(), outside.stderr());
            assertEquals(0, inside.exitCode(), inside.stderr());
            for (String operation : OPERATIONS) {
                assertTrue(outside.answer(operation).startsWith("OK "), outside.answer(operation));
                assertEquals(outside.answer(operation), inside.answer(operation), operation);
            }
            assertFalse(
                    inside.answer("fonts").contains("families=0 "),
                    "this machine has fonts (the JDK's packages bring fontconfig and DejaVu): "
                            + inside.answer("fonts"));
            assertEquals("", inside.stderr(), "nothing of Airlock's");
        }
    }
}
