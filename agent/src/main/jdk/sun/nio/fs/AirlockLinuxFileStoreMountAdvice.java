/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixMountEntry and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code LinuxFileStore#findMountEntry()} (Files.getFileStore, JDK 17 and 25
 * alike): the JDK takes the file's real path and stats each parent up to the first whose device
 * differs from the file's, then looks that directory up in /proc/mounts. Above a grant the broker
 * refuses those stats, so the JDK throws AccessDeniedException for a file the policy lets the
 * program read. On exactly that failure, outside the direct roots, the walk is done again as the
 * JDK does it, each parent stat'ed the same way (brokered), except that a parent whose stat is
 * refused counts as lying on the device that /proc/self/mountinfo gives for the mount it is on
 * (the longest mount point above it, the last one mounted there), which the helper reads itself:
 * a device number of a mount, nothing of the hidden directory. The entry found is the JDK's own,
 * from its own reading of /proc/mounts; where the mount table does not cover a parent, the JDK's
 * failure stands.
 */
final class AirlockLinuxFileStoreMountAdvice {

    private AirlockLinuxFileStoreMountAdvice() {}

    @Advice.OnMethodExit(onThrowable = java.io.IOException.class)
    static void exit(
            @Advice.This LinuxFileStore store,
            @Advice.Return(readOnly = false) UnixMountEntry found,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        UnixPath file = store.file();
        if (thrown instanceof AccessDeniedException
                && !AirlockBridge.direct(Util.toString(file.getByteArrayForSysCalls()))) {
            LinuxFileSystem fs = (LinuxFileSystem) file.getFileSystem();
            UnixPath path = null;
            try {
                path = new UnixPath(fs, UnixNativeDispatcher.realpath(file));
            } catch (Exception x) {
                // The real path is the policy's to give; without it the JDK's failure stands.
            }
            List<UnixMountEntry> entries = path != null ? fs.getMountEntries("/proc/mounts") : null;
            UnixPath parent = path != null ? path.getParent() : null;
            UnixMountEntry entry = null;
            boolean known = path != null;
            while (known && entry == null && parent != null) {
                long dev;
                try {
                    dev = UnixFileAttributes.get(parent, true).dev();
                } catch (Exception refused) {
                    dev = AirlockBridge.mountDevice(new String(parent.asByteArray(), StandardCharsets.ISO_8859_1));
                    known = dev != -1;
                }
                if (known && dev != store.dev()) {
                    for (UnixMountEntry e : entries) {
                        if (Arrays.equals(path.asByteArray(), e.dir())) {
                            entry = e;
                            break;
                        }
                    }
                }
                if (entry == null) {
                    path = parent;
                    parent = parent.getParent();
                }
            }
            if (known && entry == null) {
                // The file system's root is the mount point, as for the JDK.
                for (UnixMountEntry e : entries) {
                    if (Arrays.equals(path.asByteArray(), e.dir())) {
                        entry = e;
                        break;
                    }
                }
            }
            if (entry != null) {
                found = entry;
                thrown = null;
            }
        }
    }
}
