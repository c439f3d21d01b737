package dev.airlock.broker;

import dev.airlock.ipc.Request;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Says once, on stderr, how to give the helper a home when the program first asks for a path
 * beneath a home that does not exist: the helper's {@code user.home} is its user's home as the JDK
 * reads it from {@code /etc/passwd} ({@code /nonexistent} for {@code nobody}), and a program
 * that keeps files there ({@code java.util.prefs}, caches, dot files) would otherwise fail with
 * nothing but the JDK's own complaints. Nothing is printed for a program that never looks there,
 * and the request itself is decided as any other: the line is advice, not a decision.
 */
final class MissingHome implements Consumer<Request> {
    private final String home;
    private final String user;
    private final PrintStream err;
    private boolean said;

    /** {@code home}: the helper's home, which does not exist; {@code user}: the helper's user, as the message names it. */
    MissingHome(Path home, String user, PrintStream err) {
        this.home = home.normalize().toString();
        this.user = user;
        this.err = err;
    }

    /** The line printed for a request naming {@code path}. */
    String message(String path) {
        return "airlock: the program asked for " + path + ", beneath its home " + home
                + ", which does not exist (the helper runs as " + user + "); "
                + "give it one with --home DIR, an existing directory the helper's user can write";
    }

    @Override
    public void accept(Request request) {
        if (said) {
            return;
        }
        String path = new String(request.path().bytes(), StandardCharsets.UTF_8);
        if (path.equals(home) || path.startsWith(home.endsWith("/") ? home : home + "/")) {
            said = true;
            err.println(message(path));
        }
    }
}
