package dev.airlock.policy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Lexical path handling with the JDK's {@code FilePermission} rules (JDK 9 and later, with the
 * default {@code jdk.io.permissionsUseCanonicalPath=false}).
 *
 * <p>The JDK turns a FilePermission name into a path by: taking {@code <<ALL FILES>>} as itself;
 * replacing a final {@code *} by {@code -} (remembering that it was a star); removing duplicate and
 * trailing slashes ({@code java.io.File}); then {@code Path.normalize()}, which drops {@code .}
 * names and folds {@code ..} lexically, never looking at the file system (so {@code /a/link/..}
 * is {@code /a} even when {@code link} is a symbolic link elsewhere). If the last name is then
 * {@code -}, the permission covers its parent directory: recursively ({@code /a/-}), or only the
 * directory's entries when the name ended with a star ({@code /a/*}). Consequences kept here:
 * {@code /a/b*} is the plain file {@code /a/b-}; {@code /a/*}{@code /} is the plain file named
 * {@code *}; {@code /a/-/} is recursive; a path containing NUL, or characters the file-name
 * encoding ({@code sun.jnu.encoding}) cannot encode, is invalid and is implied only by
 * {@code <<ALL FILES>>}.
 *
 * <p>These wildcard rules apply to a permission's name only: a requested path is a literal name
 * ({@link Policy#decideFile}), only ever normalized.
 *
 * <p>Relative names are made absolute against {@code user.dir} before normalization, for the
 * permission's target and for the path asked about alike (see {@link Policy} for why).
 */
final class FilePaths {

    static final String ALL_FILES = "<<ALL FILES>>";

    private FilePaths() {}

    /** {@link #scan} result bit: the path is absolute and already normalized. */
    static final int NORMALIZED = 1;
    /** {@link #scan} result bit: the path contains NUL. */
    static final int HAS_NUL = 2;
    /** {@link #scan} result bit: the path contains a character above U+007F. */
    static final int NON_ASCII = 4;

    /** One pass over a path: whether it is normalized, and what validity needs to know. */
    static int scan(String p) {
        int n = p.length();
        int flags = 0;
        boolean normalized = n > 0 && p.charAt(0) == '/' && (n == 1 || p.charAt(n - 1) != '/');
        // Every name must be non-empty and neither "." nor "..": track the current name's start and
        // whether it is all dots so far.
        int nameStart = 1;
        for (int i = 0; i < n; i++) {
            char c = p.charAt(i);
            if (c == '/') {
                if (i > 0) {
                    int len = i - nameStart;
                    if (len == 0
                            || (p.charAt(nameStart) == '.'
                                    && (len == 1 || (len == 2 && p.charAt(nameStart + 1) == '.')))) {
                        normalized = false;
                    }
                }
                nameStart = i + 1;
            } else if (c == 0) {
                flags |= HAS_NUL;
            } else if (c >= 0x80) {
                flags |= NON_ASCII;
            }
        }
        if (normalized && n > 1) {
            int len = n - nameStart;
            if (p.charAt(nameStart) == '.' && (len == 1 || (len == 2 && p.charAt(nameStart + 1) == '.'))) {
                normalized = false;
            }
        }
        return normalized ? flags | NORMALIZED : flags;
    }

    /** Whether {@code p} is absolute and already what normalization would return. */
    static boolean isNormalizedAbsolute(String p) {
        return (scan(p) & NORMALIZED) != 0;
    }

    /** Makes {@code p} absolute against {@code userDir} (itself absolute) and normalizes it. */
    static String absoluteNormalized(String p, String userDir) {
        if (isNormalizedAbsolute(p)) {
            return p;
        }
        String abs = (!p.isEmpty() && p.charAt(0) == '/') ? p : userDir + "/" + p;
        return normalize(abs);
    }

    /** Lexical normalization of an absolute path. */
    static String normalize(String abs) {
        int n = abs.length();
        // Name boundaries kept on a small stack of start offsets into the output.
        StringBuilder out = new StringBuilder(n);
        int[] starts = new int[n / 2 + 2];
        int depth = 0;
        int i = 0;
        while (i < n) {
            while (i < n && abs.charAt(i) == '/') {
                i++;
            }
            int start = i;
            while (i < n && abs.charAt(i) != '/') {
                i++;
            }
            int len = i - start;
            if (len == 0 || (len == 1 && abs.charAt(start) == '.')) {
                continue;
            }
            if (len == 2 && abs.charAt(start) == '.' && abs.charAt(start + 1) == '.') {
                if (depth > 0) {
                    depth--;
                    out.setLength(starts[depth]);
                }
                continue;
            }
            starts[depth++] = out.length();
            out.append('/').append(abs, start, i);
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    /** The parent of a normalized absolute path; "/" for "/" and for top-level names. */
    static String parent(String normalized) {
        int slash = normalized.lastIndexOf('/');
        return slash <= 0 ? "/" : normalized.substring(0, slash);
    }

    /**
     * Decides whether paths are valid the way {@code sun.nio.fs.UnixPath} does: no NUL, and
     * encodable in the file-name encoding. Thread-safe.
     */
    static final class Validity {
        private final Charset charset;
        private final boolean utf8;

        Validity(Charset charset) {
            this.charset = charset;
            this.utf8 = charset.equals(StandardCharsets.UTF_8);
        }

        static Validity forCurrentJvm() {
            String jnu = System.getProperty("sun.jnu.encoding");
            Charset cs;
            try {
                cs = jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
            } catch (RuntimeException e) {
                cs = Charset.defaultCharset();
            }
            return new Validity(cs);
        }

        boolean isValid(String p) {
            return isValid(p, scan(p));
        }

        /** Validity given {@link #scan}'s flags for {@code p}. */
        boolean isValid(String p, int scanFlags) {
            if ((scanFlags & HAS_NUL) != 0) {
                return false;
            }
            if ((scanFlags & NON_ASCII) == 0) {
                return true;
            }
            if (utf8) {
                // UTF-8 encodes every string except one with an unpaired surrogate.
                for (int i = 0, n = p.length(); i < n; i++) {
                    char c = p.charAt(i);
                    if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(p.charAt(i + 1))) {
                            i++;
                        } else {
                            return false;
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        return false;
                    }
                }
                return true;
            }
            return charset.newEncoder().canEncode(p);
        }
    }
}
