package dev.airlock.broker;

/**
 * The mode bits the broker lets a request set, in one place. The broker may run as root, so what
 * the helper creates is owned by root: no request may mint a set-user-ID or set-group-ID file,
 * and the helper's requested mode loses those bits wherever it is applied. (The helper's own side
 * cuts a JDK {@code st_mode} to the 07777 a request carries, {@code Request#permissionBits}; these
 * rules apply to what arrives.)
 */
final class ModeRules {
    private ModeRules() {}

    /** A created file's or directory's mode: the permission bits only (no set-id, no sticky bit). */
    static int created(int mode) {
        return mode & 0777;
    }

    /**
     * A chmod's mode: the set-user-ID and set-group-ID bits are dropped, as for created files; the
     * sticky bit is kept on directories, where it restricts who may remove entries (it only takes
     * away), and dropped elsewhere, where Linux ignores it.
     */
    static int changed(int mode, boolean directory) {
        return mode & (directory ? 01777 : 0777);
    }
}
