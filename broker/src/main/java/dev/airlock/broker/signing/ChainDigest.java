package dev.airlock.broker.signing;

import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The SHA-256 of the audit log's hash chain ({@link AuditSeal}), one line after another with one
 * digest that is reset by each result, so that chaining a line allocates nothing: the log chains
 * every allowed record of a busy program ({@code --audit-allowed}), tens of thousands a second.
 * Not thread-safe; the log chains under its lock.
 */
public final class ChainDigest {
    /** The length of a link. */
    public static final int LENGTH = 32;

    private final SHA256Digest digest = new SHA256Digest();

    /** Writes the SHA-256 of {@code length} bytes of {@code bytes} from {@code offset} into {@code link}. */
    public void hash(byte[] bytes, int offset, int length, byte[] link) {
        digest.update(bytes, offset, length);
        digest.doFinal(link, 0);
    }
}
