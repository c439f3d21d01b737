package dev.airlock.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory the user gives the helper as its own ({@code --tmp DIR}, {@code --home DIR}), looked
 * up before the run: it must exist and be a directory, and the helper's user must be able to
 * read, write and search it by its own permissions, because Landlock only ever takes rights away:
 * a rule there lets the helper use what its uid may. Airlock changes nothing about it (neither
 * owner nor mode) and never removes it. Answers its real path, on which the rule goes and which
 * the helper is told.
 */
final class GivenDirectory {
    private GivenDirectory() {}

    /** The real path of {@code directory}, given as {@code option}, checked for the helper's {@code identity}. */
    static Path check(String option, Path directory, Confinement.Identity identity) throws AirlockException {
        Path real;
        try {
            real = directory.toRealPath();
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, option + " " + directory + ": no such directory");
        }
        if (!Files.isDirectory(real)) {
            throw new AirlockException(ExitCodes.USAGE, option + " " + directory + ": not a directory");
        }
        try {
            int uid = (Integer) Files.getAttribute(real, "unix:uid");
            int gid = (Integer) Files.getAttribute(real, "unix:gid");
            int mode = (Integer) Files.getAttribute(real, "unix:mode");
            if (!permits(uid, gid, mode, identity)) {
                throw new AirlockException(
                        ExitCodes.USAGE,
                        option + " " + directory + ": the helper's user (uid " + identity.uid()
                                + ") cannot read and write it; make it that user's (chown " + identity.uid()
                                + ") or choose another");
            }
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, option + " " + directory + ": " + e.getMessage());
        }
        return real;
    }

    /**
     * Whether {@code identity} may read, write and search a directory of {@code uid} and
     * {@code gid} with {@code mode}, by the class of the mode that applies to it (owner, group, others). The helper has
     * no supplementary groups when it drops to another user; a broker keeping its own user is
     * checked the same way, which may refuse a directory only a supplementary group or an ACL opens.
     */
    static boolean permits(int uid, int gid, int mode, Confinement.Identity identity) {
        int bits;
        if (uid == identity.uid()) {
            bits = (mode >> 6) & 7;
        } else if (gid == identity.gid()) {
            bits = (mode >> 3) & 7;
        } else {
            bits = mode & 7;
        }
        return bits == 7;
    }
}
