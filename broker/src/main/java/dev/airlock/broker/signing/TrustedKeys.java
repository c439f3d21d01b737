package dev.airlock.broker.signing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The public keys a run trusts to have signed its policies ({@code --trust FILE}, the drop-in's
 * {@code trust=FILE}), by fingerprint. With none, policies need no signature; with any, every
 * policy must carry a valid signature by one of them ({@link #requireSigned}), or nothing starts.
 * This is the one place a policy's signature is decided.
 */
public final class TrustedKeys {
    private static final TrustedKeys NONE = new TrustedKeys(Map.of());

    private final Map<KeyFingerprint, VerifyingKey> keys;

    private TrustedKeys(Map<KeyFingerprint, VerifyingKey> keys) {
        this.keys = keys;
    }

    /** No trusted key: policies are used without a signature. */
    public static TrustedKeys none() {
        return NONE;
    }

    /** The public keys in {@code files}; the same key given twice counts once. */
    public static TrustedKeys read(List<Path> files) throws KeyFileException {
        Map<KeyFingerprint, VerifyingKey> keys = new LinkedHashMap<>();
        for (Path file : files) {
            VerifyingKey key = VerifyingKey.read(file);
            keys.putIfAbsent(key.fingerprint(), key);
        }
        return new TrustedKeys(Collections.unmodifiableMap(keys));
    }

    /** Whether no key is trusted, so that no signature is needed. */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The trusted key with this fingerprint, if any. */
    Optional<VerifyingKey> find(KeyFingerprint fingerprint) {
        return Optional.ofNullable(keys.get(fingerprint));
    }

    /**
     * Refuses {@code content}, the bytes read from the policy file {@code policy}, unless its
     * signature file holds a trusted key's signature over exactly those bytes. The caller must
     * then use these very bytes, never read the file again: what was verified is what is parsed.
     */
    public VerifyingKey requireSigned(Path policy, byte[] content) throws PolicySignatureException {
        SignatureState state = examine(policy, content);
        if (state instanceof SignatureState.Verified verified) {
            return verified.key();
        }
        throw new PolicySignatureException(policy, state);
    }

    /** What the signature of {@code policy}, whose bytes are {@code content}, amounts to. */
    public SignatureState examine(Path policy, byte[] content) {
        Path signatureFile = PolicySignature.signatureFileOf(policy);
        SignatureFile signature;
        try {
            signature = SignatureFile.parse(readSignatureFile(signatureFile));
        } catch (NoSuchFileException e) {
            return new SignatureState.Unsigned(signatureFile);
        } catch (IOException e) {
            return new SignatureState.Invalid(signatureFile, "cannot read: " + e.getMessage());
        } catch (SignatureFormatException e) {
            return new SignatureState.Invalid(signatureFile, e.getMessage());
        }
        Optional<VerifyingKey> key = find(signature.key());
        if (key.isEmpty()) {
            return new SignatureState.Untrusted(signature.algorithm(), signature.key());
        }
        return PolicySignature.verifies(key.get(), signature, content)
                ? new SignatureState.Verified(key.get())
                : new SignatureState.BadSignature(key.get());
    }

    /**
     * A signature file's bytes, at most one more than {@link SignatureFile#MAX_SIZE} (which that
     * refuses); anything but a regular file (a FIFO would block the broker) is refused unread.
     */
    private static byte[] readSignatureFile(Path signatureFile) throws IOException, SignatureFormatException {
        if (!Files.readAttributes(signatureFile, BasicFileAttributes.class).isRegularFile()) {
            throw new SignatureFormatException("not a regular file");
        }
        try (InputStream in = Files.newInputStream(signatureFile)) {
            return in.readNBytes(SignatureFile.MAX_SIZE + 1);
        }
    }

    /** The trusted keys, for messages. */
    public List<VerifyingKey> keys() {
        return new ArrayList<>(keys.values());
    }
}
