package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code --user}: never a root helper, by name or by number; an unknown user is a usage error. */
class UserAccountTest {
    @Test
    void rootByNameOrNumberIsAUsageError() {
        for (String user : new String[] {"root", "0"}) {
            AirlockException byName = assertThrows(AirlockException.class, () -> UserAccount.refuseRootByName(user));
            assertEquals(ExitCodes.USAGE, byName.exitCode());
            assertTrue(byName.getMessage().startsWith("--user " + user + ": the helper must not run as root (uid 0)"), byName.getMessage());
            assertEquals(ExitCodes.USAGE, assertThrows(AirlockException.class, () -> UserAccount.helper(user)).exitCode());
        }
    }

    @Test
    void nobodyIsTheDefaultHelperAndAnUnknownUserIsRefused() throws Exception {
        UserAccount nobody = UserAccount.helper("nobody");
        assertEquals(65534, nobody.uid());
        UserAccount.refuseRootByName("nobody");
        AirlockException unknown = assertThrows(AirlockException.class, () -> UserAccount.helper("no-such-user-here"));
        assertEquals(ExitCodes.USAGE, unknown.exitCode());
        assertEquals("--user no-such-user-here: no such user in /etc/passwd", unknown.getMessage());
    }
}
