package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The mount table's answers for kernel rules: another name through a bind mount, procfs or sysfs beneath. */
class MountTableTest {
    private static final String TABLE = """
            22 27 0:21 / /proc rw,relatime - proc proc rw
            23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
            27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            30 27 254:0 /srv/shared /mnt/shared rw,relatime shared:1 - ext4 /dev/vda rw
            31 27 0:40 / /data rw - tmpfs tmpfs rw
            32 27 0:41 / /with\\040space rw - tmpfs tmpfs rw
            33 31 0:22 / /data/sysview rw - sysfs sysfs rw
            """;

    @Test
    void parsesEveryLineAndItsEscapes() {
        MountTable t = MountTable.parse(TABLE);
        assertEquals(7, t.mounts().size());
        assertEquals(
                new MountTable.Mount("0:41", "/", "/with space", "tmpfs"),
                t.mounts().get(5));
        assertEquals(
                new MountTable.Mount("254:0", "/srv/shared", "/mnt/shared", "ext4"),
                t.mounts().get(3));
        assertThrows(IllegalArgumentException.class, () -> MountTable.parse("1 2 3"));
    }

    @Test
    void aDirectoryBindMountedElsewhereOrBelowABindMountIsReachableUnderAnotherName() {
        MountTable t = MountTable.parse(TABLE);
        assertTrue(t.reachableElsewhere("/srv/shared"), "the bind mount's own source");
        assertTrue(t.reachableElsewhere("/srv/shared/sub/f"), "beneath the source");
        assertTrue(
                t.reachableElsewhere("/mnt/shared/sub"), "beneath the bind mount: the same inodes as /srv/shared/sub");
        // Above the source: the kernel walks up from /mnt/shared/x to the mount point, never through
        // /srv's inode, so a rule on /srv does not reach /mnt/shared (and the policy does not either).
        assertFalse(t.reachableElsewhere("/srv"), "above the source");
        assertFalse(t.reachableElsewhere("/srv/other"), "a sibling of the source");
        assertFalse(t.reachableElsewhere("/data/x"), "another file system, mounted once");
        assertFalse(t.reachableElsewhere("/with space/f"));
    }

    @Test
    void procfsOrSysfsAtOrBeneathATreeIsAKernelView() {
        MountTable t = MountTable.parse(TABLE);
        assertTrue(t.kernelViewAtOrBeneath("/"), "/proc and /sys are beneath /");
        assertTrue(t.kernelViewAtOrBeneath("/proc/self"));
        assertTrue(t.kernelViewAtOrBeneath("/data"), "sysfs is mounted at /data/sysview");
        assertFalse(t.kernelViewAtOrBeneath("/data/other"));
        assertFalse(t.kernelViewAtOrBeneath("/srv"));
        assertFalse(t.kernelViewAtOrBeneath("/processes"), "a name that only starts like /proc");
    }

    @Test
    void theBrokersOwnTableIsReadable() {
        MountTable own = MountTable.lookUp();
        assertFalse(own.isEmpty());
        assertTrue(own.kernelViewAtOrBeneath("/proc"));
    }
}
