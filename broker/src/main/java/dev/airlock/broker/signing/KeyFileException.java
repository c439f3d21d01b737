package dev.airlock.broker.signing;

import java.nio.file.Path;

/**
 * A key file Airlock cannot use: unreadable, not a key, a key of another type or curve, a private
 * key where a public one is wanted (or the reverse), or an encrypted private key. The message
 * names the file and says which.
 */
public final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    KeyFileException(Path file, String why) {
        super(file + ": " + why);
    }

    KeyFileException(Path file, String why, Throwable cause) {
        super(file + ": " + why, cause);
    }
}
