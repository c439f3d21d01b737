package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --user}: never a root helper, by name or by number; an unknown user is a usage error.
 * Against this machine's {@code /etc/passwd}, looked up as {@code airlock run} looks it up.
 */
class UserAccountTest {
    private static RunArguments as(String user) {
        return new RunArguments(List.of("Main"), user, Set.of());
    }

    /** The confinement a root broker plans for {@code user}, looked up in this machine's {@code /etc/passwd}. */
    private static Confinement asRoot(String user) throws Exception {
        Environment root =
                new Environment(Map.of(), Path.of("/"), 0, 0, UserAccount.find(user), LandlockRules.REQUIRED_ABI);
        return SandboxPlanner.confinement(as(user), root);
    }

    @Test
    void rootByNameOrNumberIsAUsageError() {
        for (String user : new String[] {"root", "0"}) {
            AirlockException byName = assertThrows(
                    AirlockException.class, () -> SandboxPlanner.checkArguments(as(user), UserAccount.find(user)));
            assertEquals(ExitCodes.USAGE, byName.exitCode());
            assertTrue(
                    byName.getMessage().startsWith("--user " + user + ": the helper must not run as root (uid 0)"),
                    byName.getMessage());
            assertEquals(
                    ExitCodes.USAGE,
                    assertThrows(AirlockException.class, () -> asRoot(user)).exitCode());
        }
    }

    @Test
    void nobodyIsTheDefaultHelperAndAnUnknownUserIsRefused() throws Exception {
        UserAccount nobody = asRoot("nobody").identity().dropTo().orElseThrow();
        assertEquals(65534, nobody.uid());
        assertEquals(
                Path.of("/nonexistent"),
                UserAccount.find("nobody").orElseThrow().home(),
                "its home as /etc/passwd names it, which the helper's JDK reports as user.home");
        SandboxPlanner.checkArguments(as("nobody"), UserAccount.find("nobody"));
        AirlockException unknown = assertThrows(AirlockException.class, () -> asRoot("no-such-user-here"));
        assertEquals(ExitCodes.USAGE, unknown.exitCode());
        assertEquals("--user no-such-user-here: no such user in /etc/passwd", unknown.getMessage());
    }
}
