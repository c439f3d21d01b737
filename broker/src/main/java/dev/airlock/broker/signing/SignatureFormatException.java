package dev.airlock.broker.signing;

/**
 * A signature file that is not one Airlock can read: not a signature file at all, truncated or
 * otherwise malformed, or of a format version or key algorithm this Airlock does not know. The
 * message says which, without the file's name (the caller adds it).
 */
public final class SignatureFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    SignatureFormatException(String message) {
        super(message);
    }
}
