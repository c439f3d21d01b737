package dev.airlock.broker;

import dev.airlock.ipc.Errno;
import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import dev.airlock.policy.FileActions;
import dev.airlock.policy.FileDecision;
import dev.airlock.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Opens files for the helper, race-free. The policy decides on the lexically normalised path;
 * the open then happens beneath the pre-opened root of the grant that allowed it, with
 * {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)}, so neither
 * {@code ..} nor a symbolic link planted in a granted tree can lead out of it. A symbolic link is
 * not refused outright: its target is decided by the policy again, as a new path, and opened
 * beneath the grant that allows it, at most {@link #MAX_HOPS} times (the kernel's own limit).
 */
final class FileBroker {
    static final int MAX_HOPS = 40;

    /** Open flags a request may carry; anything else (O_PATH, O_TMPFILE, O_NOATIME, O_ASYNC...) is refused. */
    static final int ALLOWED_FLAGS = Linux.O_ACCMODE | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOCTTY | Linux.O_TRUNC
            | Linux.O_APPEND | Linux.O_NONBLOCK | Linux.O_SYNC | Linux.O_DSYNC | Linux.O_DIRECT | Linux.O_LARGEFILE
            | Linux.O_DIRECTORY | Linux.O_NOFOLLOW | Linux.O_CLOEXEC;

    private static final long RESOLVE = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS | Linux.RESOLVE_NO_SYMLINKS;

    private final Policy policy;
    private final GrantRoots roots;
    /** Reused for every request: the broker serves on one thread. */
    private final java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);

    FileBroker(Policy policy, GrantRoots roots) {
        this.policy = policy;
        this.roots = roots;
    }

    /** The outcome of one request: a descriptor, or an errno with the policy's reason (empty if not a denial). */
    record Outcome(Fd fd, int errno, String reason) {
        static Outcome failed(int errno) {
            return new Outcome(null, errno, "");
        }
    }

    /** The actions an open needs, as the SecurityManager required them; -1 for a flag set Airlock refuses. */
    static int actionsFor(int flags) {
        if ((flags & ~ALLOWED_FLAGS) != 0) {
            return -1;
        }
        int actions;
        switch (flags & Linux.O_ACCMODE) {
            case Linux.O_RDONLY -> actions = FileActions.READ;
            case Linux.O_WRONLY -> actions = FileActions.WRITE;
            case Linux.O_RDWR -> actions = FileActions.READ | FileActions.WRITE;
            default -> {
                return -1;
            }
        }
        if ((flags & (Linux.O_CREAT | Linux.O_TRUNC | Linux.O_APPEND)) != 0) {
            actions |= FileActions.WRITE; // O_RDONLY|O_TRUNC still truncates
        }
        return actions;
    }

    Outcome open(byte[] rawPath, int flags, int mode, boolean refuseDirectory) {
        int actions = actionsFor(flags);
        if (actions < 0) {
            return Outcome.failed(Errno.EINVAL);
        }
        String path = decodeStrictly(rawPath);
        if (path == null) {
            return Outcome.failed(Errno.EINVAL);
        }
        boolean mustBeDirectory = path.endsWith("/") && path.length() > 1;
        for (int hop = 0; hop <= MAX_HOPS; hop++) {
            path = resolveDotDot(path);
            FileDecision decision = policy.decideFile(path, actions);
            if (!decision.allowed()) {
                return new Outcome(null, Errno.EACCES, decision.reason());
            }
            GrantRoots.Root root = roots.get(decision.root());
            if (root == null) {
                return Outcome.failed(Errno.EACCES); // cannot happen: the roots come from this policy
            }
            String relative = relativeTo(root.directory(), decision.normalizedPath());
            if (mustBeDirectory && !relative.equals(".")) {
                relative = relative + "/";
            }
            try {
                // openat2 refuses a mode without O_CREAT; set-id and sticky bits are never the helper's to set.
                int createMode = (flags & Linux.O_CREAT) != 0 ? mode & 0777 : 0;
                return opened(Linux.openat2(root.fd().get(), relative, openFlags(flags), createMode, RESOLVE), flags, refuseDirectory);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ELOOP && e.errno() != Errno.EXDEV) {
                    return Outcome.failed(e.errno());
                }
                String next = followFirstLink(root, relative, (flags & Linux.O_NOFOLLOW) != 0);
                if (next == null) {
                    return Outcome.failed(e.errno() == Errno.EXDEV ? Errno.EACCES : Errno.ELOOP);
                }
                path = next;
            }
        }
        return Outcome.failed(Errno.ELOOP);
    }

    /**
     * The path as text, or null when its bytes are not UTF-8: a replacement character would make
     * the broker decide and open another name than the one the helper sent.
     */
    private String decodeStrictly(byte[] rawPath) {
        try {
            return utf8.reset().decode(java.nio.ByteBuffer.wrap(rawPath)).toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            return null;
        }
    }

    /**
     * Adds what every brokered open gets: close-on-exec (the broker never leaks it), no
     * controlling tty, and O_NONBLOCK so that opening a FIFO cannot block the broker (restored
     * afterwards when the helper did not ask for it).
     */
    private static int openFlags(int flags) {
        return flags | Linux.O_CLOEXEC | Linux.O_NOCTTY | Linux.O_NONBLOCK;
    }

    private static Outcome opened(Fd fd, int flags, boolean refuseDirectory) {
        try {
            Linux.Stat stat = Linux.fstat(fd.get());
            if (refuseDirectory && stat.isDirectory()) {
                fd.close();
                return Outcome.failed(Errno.EISDIR);
            }
            if ((flags & Linux.O_NONBLOCK) == 0) {
                // F_SETFL replaces exactly the changeable status flags: keep the requested ones, drop O_NONBLOCK.
                Linux.setStatusFlags(fd.get(), flags & (Linux.O_APPEND | Linux.O_DIRECT));
            }
            return new Outcome(fd, 0, "");
        } catch (ErrnoException e) {
            fd.close();
            return Outcome.failed(e.errno());
        }
    }

    /**
     * Finds the first symbolic link along {@code relative} beneath {@code root} and returns the
     * absolute path the kernel would go on with: the link's target, joined to the link's
     * directory when relative, followed by the rest of the path. Null when there is no link to
     * follow (or the last component is a link and the caller asked not to follow it).
     */
    private static String followFirstLink(GrantRoots.Root root, String relative, boolean noFollow) {
        String[] parts = relative.split("/");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].equals(".")) {
                continue;
            }
            if (prefix.length() > 0) {
                prefix.append('/');
            }
            prefix.append(parts[i]);
            byte[] target;
            try {
                target = Linux.readlinkat(root.fd().get(), prefix.toString());
            } catch (ErrnoException notALink) {
                if (notALink.errno() == Errno.EINVAL) {
                    continue;
                }
                return null;
            }
            boolean last = i == parts.length - 1;
            if (last && noFollow) {
                return null;
            }
            String targetText = new String(target, StandardCharsets.UTF_8);
            StringBuilder next = new StringBuilder();
            if (targetText.startsWith("/")) {
                next.append(targetText);
            } else {
                String linkDirectory = parentOf(join(root.directory(), prefix.toString()));
                next.append(linkDirectory).append(linkDirectory.endsWith("/") ? "" : "/").append(targetText);
            }
            for (int j = i + 1; j < parts.length; j++) {
                next.append('/').append(parts[j]);
            }
            if (relative.endsWith("/")) {
                next.append('/');
            }
            return next.toString();
        }
        return null;
    }

    /**
     * A path whose {@code ..} follows a symbolic link means something else to the kernel than
     * to a lexical normaliser, so the part up to the last {@code ..} is resolved the way the
     * kernel resolves it before the policy sees the path. If that part does not resolve, the
     * path is left as it is: the policy then decides it lexically and the open beneath the grant
     * reports the kernel's own error.
     */
    private static String resolveDotDot(String path) {
        int last = lastDotDot(path);
        if (last < 0) {
            return path;
        }
        String head = path.substring(0, last + 2);
        String rest = path.substring(last + 2);
        try {
            String real = Path.of(head).toRealPath().toString();
            return rest.isEmpty() ? real : (real.equals("/") ? "" : real) + rest;
        } catch (IOException | RuntimeException unresolved) {
            return path;
        }
    }

    /** The index of the last {@code ..} component, or -1. */
    private static int lastDotDot(String path) {
        int from = path.length();
        while (true) {
            int at = path.lastIndexOf("..", from);
            if (at < 0) {
                return -1;
            }
            boolean startsComponent = at == 0 || path.charAt(at - 1) == '/';
            boolean endsComponent = at + 2 == path.length() || path.charAt(at + 2) == '/';
            if (startsComponent && endsComponent) {
                return at;
            }
            from = at - 1;
            if (from < 0) {
                return -1;
            }
        }
    }

    static String relativeTo(String directory, String normalizedPath) {
        if (normalizedPath.equals(directory)) {
            return ".";
        }
        String prefix = directory.equals("/") ? "/" : directory + "/";
        if (!normalizedPath.startsWith(prefix)) {
            throw new IllegalStateException(normalizedPath + " is not beneath its grant root " + directory);
        }
        return normalizedPath.substring(prefix.length());
    }

    private static String join(String directory, String relative) {
        return directory.equals("/") ? "/" + relative : directory + "/" + relative;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
