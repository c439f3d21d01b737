package dev.airlock.broker;

import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One O_PATH descriptor per grant root of the policy, opened once at start. Every brokered open
 * resolves beneath one of these, so the broker never walks a granted path from the filesystem
 * root again. A root that does not exist yet is represented by its deepest existing ancestor.
 */
final class GrantRoots implements AutoCloseable {
    /** A grant root as opened: the directory the descriptor names, and the descriptor. */
    record Root(String directory, Fd fd) {
    }

    private final Map<String, Root> byGrantRoot = new HashMap<>();

    static GrantRoots open(List<String> grantRoots) throws ErrnoException {
        GrantRoots roots = new GrantRoots();
        try {
            for (String grantRoot : grantRoots) {
                roots.byGrantRoot.put(grantRoot, openDeepestExisting(grantRoot));
            }
        } catch (ErrnoException | RuntimeException e) {
            roots.close();
            throw e;
        }
        return roots;
    }

    private static Root openDeepestExisting(String grantRoot) throws ErrnoException {
        String directory = grantRoot;
        while (true) {
            try {
                return new Root(directory, Linux.open(directory, Linux.O_PATH | Linux.O_DIRECTORY, 0));
            } catch (ErrnoException e) {
                if ((e.errno() != dev.airlock.ipc.Errno.ENOENT && e.errno() != dev.airlock.ipc.Errno.ENOTDIR) || directory.equals("/")) {
                    throw e;
                }
                int slash = directory.lastIndexOf('/');
                directory = slash <= 0 ? "/" : directory.substring(0, slash);
            }
        }
    }

    /** The opened root for a grant root the policy named; null if the policy named one not given at start. */
    Root get(String grantRoot) {
        return byGrantRoot.get(grantRoot);
    }

    @Override
    public void close() {
        for (Root root : byGrantRoot.values()) {
            root.fd().close();
        }
    }
}
