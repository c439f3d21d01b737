package dev.airlock.broker;

import dev.airlock.ipc.Request;
import dev.airlock.unix.Linux;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Says once, on stderr, how to give the helper a home when the program first tries to create or
 * change something beneath a home that does not exist: the helper's {@code user.home} is its
 * user's home as the JDK reads it from {@code /etc/passwd} ({@code /nonexistent} for
 * {@code nobody}), and a program that keeps files there ({@code java.util.prefs}, caches, dot
 * files) would otherwise fail with nothing but the JDK's own complaints. Looking there is not
 * enough: a missing file answers as it would outside (AWT reads
 * {@code ~/.accessibility.properties} in every program that uses it), so only a request that would
 * write is worth the line, and not one into the JDK's own caches there ({@link #JDK_CACHES}), which
 * the JDK writes when it can and does without otherwise, as it does outside for a user without a
 * home. The request itself is decided as any other: the line is advice, not a decision.
 */
final class MissingHome implements Consumer<Request> {
    /**
     * Beneath the home, what the JDK writes for itself: AWT's font configuration cache
     * ({@code sun.font.FontConfiguration}, {@code ~/.java/fonts/VERSION}).
     */
    static final List<String> JDK_CACHES = List.of(".java/fonts");

    private final String home;
    private final String user;
    private final PrintStream err;
    private boolean said;
    private String cache;

    /** {@code home}: the helper's home, which does not exist; {@code user}: the helper's user, as the message names it. */
    MissingHome(Path home, String user, PrintStream err) {
        this.home = home.normalize().toString();
        this.user = user;
        this.err = err;
    }

    /** The line printed for a request that would write {@code path}. */
    String message(String path) {
        return "airlock: the program asked for " + path + ", beneath its home " + home
                + ", which does not exist (the helper runs as " + user + "); "
                + "give it one with --home DIR, an existing directory the helper's user can write";
    }

    /** Whether {@code request} would create, change or remove something, rather than look. */
    static boolean writes(Request request) {
        if (request instanceof Request.Open open) {
            return (open.openFlags() & (Linux.O_ACCMODE | Linux.O_CREAT | Linux.O_TRUNC | Linux.O_APPEND)) != 0;
        }
        return !(request instanceof Request.Stat
                || request instanceof Request.Access
                || request instanceof Request.ReadLink
                || request instanceof Request.Watch);
    }

    private static boolean jdkCache(String relative) {
        for (String cache : JDK_CACHES) {
            if (relative.equals(cache) || relative.startsWith(cache + "/")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void accept(Request request) {
        if (said || !(request instanceof Request.FileRequest file) || !writes(request)) {
            return;
        }
        String path = new String(file.path().bytes(), StandardCharsets.UTF_8);
        String beneath = home.endsWith("/") ? home : home + "/";
        if (!path.equals(home) && !path.startsWith(beneath)) {
            return;
        }
        if (!path.equals(home) && jdkCache(path.substring(beneath.length()))) {
            cache = path;
            return;
        }
        if (request instanceof Request.MakeDirectory && cache != null && cache.startsWith(path + "/")) {
            return; // File.mkdirs climbing from the JDK's cache towards the home
        }
        said = true;
        err.println(message(path));
    }
}
