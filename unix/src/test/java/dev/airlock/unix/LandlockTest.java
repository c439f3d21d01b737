package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The Landlock binding: the rights each ABI handles, and a ruleset built (not enforced) against this kernel. */
class LandlockTest {
    @Test
    void eachAbiHandlesTheRightsItKnows() {
        long abi1 = (1L << 13) - 1;
        assertEquals(abi1, Landlock.handledFilesystemRights(1));
        assertEquals(abi1 | Landlock.REFER, Landlock.handledFilesystemRights(2));
        assertEquals(abi1 | Landlock.REFER | Landlock.TRUNCATE, Landlock.handledFilesystemRights(4));
        assertEquals(
                abi1 | Landlock.REFER | Landlock.TRUNCATE | Landlock.IOCTL_DEV, Landlock.handledFilesystemRights(6));
        long directoryRights = Landlock.READ_DIR | Landlock.MAKE_REG | Landlock.REMOVE_FILE | Landlock.REFER;
        assertEquals(0, Landlock.FILE_RIGHTS & directoryRights, "no directory right on a file");
    }

    @Test
    void aRulesetIsBuiltAndARuleOnANonDirectoryRefusesDirectoryRights() throws Exception {
        int abi = Landlock.abi();
        assumeTrue(abi >= Landlock.NET_ABI, "needs Landlock ABI " + Landlock.NET_ABI + ", this kernel has " + abi);
        long handled = Landlock.handledFilesystemRights(abi);
        try (Fd ruleset = Landlock.createRuleset(handled, Landlock.NET_BIND_TCP | Landlock.NET_CONNECT_TCP, 0);
                Fd tmp = Linux.open("/tmp", Linux.O_PATH, 0);
                Fd file = Linux.open("/etc/passwd", Linux.O_PATH, 0)) {
            assertTrue(ruleset.get() >= 0);
            Landlock.allowBeneath(ruleset, tmp, Landlock.READ_FILE | Landlock.READ_DIR, "/tmp");
            Landlock.allowBeneath(ruleset, file, Landlock.READ_FILE, "/etc/passwd");
            ErrnoException refused = assertThrows(
                    ErrnoException.class, () -> Landlock.allowBeneath(ruleset, file, Landlock.READ_DIR, "/etc/passwd"));
            assertEquals(Errno.EINVAL, refused.errno());
            assertTrue(
                    refused.getMessage().startsWith("landlock_add_rule(/etc/passwd) failed: EINVAL"),
                    refused.getMessage());
        }
    }
}
