package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.policy.FileActions;
import dev.airlock.unix.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one table of actions each request needs, and the one place modes are cut. */
class RequiredActionsTest {
    @Test
    void actionsFollowTheSecurityManagersMeaningOfFlags() {
        assertEquals(FileActions.READ, RequiredActions.open(Linux.O_RDONLY));
        assertEquals(FileActions.WRITE, RequiredActions.open(Linux.O_WRONLY | Linux.O_CREAT | Linux.O_TRUNC));
        assertEquals(FileActions.READ | FileActions.WRITE, RequiredActions.open(Linux.O_RDWR));
        assertEquals(FileActions.READ | FileActions.WRITE, RequiredActions.open(Linux.O_RDONLY | Linux.O_APPEND));
        assertEquals(-1, RequiredActions.open(Linux.O_RDONLY | Linux.O_PATH));
    }

    @Test
    void accessBitsNeedTheActionsTheSecurityManagerChecked() {
        assertEquals(FileActions.READ, RequiredActions.access(Linux.F_OK), "exists() was checked as read");
        assertEquals(FileActions.READ, RequiredActions.access(Linux.R_OK));
        assertEquals(FileActions.WRITE, RequiredActions.access(Linux.W_OK));
        assertEquals(FileActions.EXECUTE, RequiredActions.access(Linux.X_OK));
        assertEquals(
                FileActions.READ | FileActions.WRITE | FileActions.EXECUTE,
                RequiredActions.access(Linux.R_OK | Linux.W_OK | Linux.X_OK));
        assertEquals(FileActions.WRITE | FileActions.EXECUTE, RequiredActions.access(Linux.W_OK | Linux.X_OK));
    }

    @ParameterizedTest
    @ValueSource(
            ints = {
                Linux.O_PATH,
                Linux.O_PATH | Linux.O_RDONLY,
                020000000 | Linux.O_DIRECTORY | Linux.O_RDWR,
                01000000,
                020000,
                3
            })
    void flagsOutsideTheAllowListAreRefusedBeforeThePolicyIsAsked(int flags) {
        // O_PATH, O_TMPFILE, O_NOATIME, O_ASYNC, and an access mode that is none of the three.
        assertEquals(RequiredActions.REFUSED, RequiredActions.open(flags));
    }

    @Test
    void everyAllowedFlagKeepsTheActionsOfTheAccessMode() {
        for (int bit = 1; bit != 0; bit <<= 1) {
            if ((bit & RequiredActions.ALLOWED_OPEN_FLAGS & ~Linux.O_ACCMODE) == 0) {
                continue;
            }
            boolean writes = (bit & (Linux.O_CREAT | Linux.O_TRUNC | Linux.O_APPEND)) != 0;
            assertEquals(
                    writes ? FileActions.READ | FileActions.WRITE : FileActions.READ,
                    RequiredActions.open(Linux.O_RDONLY | bit),
                    "flag 0" + Integer.toOctalString(bit));
            assertEquals(
                    FileActions.WRITE,
                    RequiredActions.open(Linux.O_WRONLY | bit),
                    "flag 0" + Integer.toOctalString(bit));
        }
    }

    /** The fixed rows: what every other operation needs on each of its paths. */
    @Test
    void theFixedRowsAreTheSecurityManagersActions() {
        assertEquals(FileActions.READ, RequiredActions.STAT);
        assertEquals(FileActions.READ | FileActions.READLINK, RequiredActions.STAT_LINK_DESCRIPTOR);
        assertEquals(FileActions.READLINK, RequiredActions.READLINK);
        assertEquals(FileActions.DELETE, RequiredActions.REMOVE);
        assertEquals(FileActions.WRITE, RequiredActions.MKDIR);
        assertEquals(FileActions.WRITE, RequiredActions.RENAME_SOURCE | RequiredActions.RENAME_TARGET);
        assertEquals(FileActions.WRITE, RequiredActions.LINK_NEW_NAME | RequiredActions.LINK_EXISTING);
        assertEquals(FileActions.WRITE, RequiredActions.SYMLINK | RequiredActions.CHMOD | RequiredActions.UTIMENS);
        assertEquals(FileActions.READ, RequiredActions.WATCH);
    }

    @Test
    void createdModesLoseSetIdAndStickyBits() {
        assertEquals(0755, ModeRules.created(04755));
        assertEquals(0777, ModeRules.created(07777));
        assertEquals(0640, ModeRules.created(02640));
        assertEquals(0, ModeRules.created(01000));
    }

    @Test
    void changedModesKeepTheStickyBitOnlyOnDirectories() {
        assertEquals(01777, ModeRules.changed(07777, true));
        assertEquals(0777, ModeRules.changed(07777, false));
        assertEquals(0755, ModeRules.changed(06755, true));
        assertEquals(0644, ModeRules.changed(01644, false));
    }
}
