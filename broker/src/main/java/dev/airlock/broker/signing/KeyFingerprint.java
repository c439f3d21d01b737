package dev.airlock.broker.signing;

import java.io.IOException;
import java.util.Base64;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * What names a public key in a signature file and in messages: {@code SHA256:} and the unpadded
 * base64 of the SHA-256 of the key's OpenSSH wire encoding, exactly what {@code ssh-keygen -l -f
 * KEY} prints, so an operator can tell which of their keys signed a policy, whatever format
 * (OpenSSH or PEM) the key file has.
 *
 * @param text the fingerprint as written, {@code SHA256:} and 43 base64 characters
 */
public record KeyFingerprint(String text) {
    private static final Pattern FORM = Pattern.compile("SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]");

    public KeyFingerprint {
        if (!FORM.matcher(text).matches()) {
            throw new IllegalArgumentException("not a key fingerprint (SHA256: and 43 base64 characters): " + text);
        }
    }

    /** The fingerprint {@code text} names, if it is one. */
    static boolean isFingerprint(String text) {
        return FORM.matcher(text).matches();
    }

    /** The fingerprint of a public key (Ed25519 or ECDSA P-256, which OpenSSH encodes). */
    static KeyFingerprint of(AsymmetricKeyParameter publicKey) {
        byte[] blob;
        try {
            blob = OpenSSHPublicKeyUtil.encodePublicKey(publicKey);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode the public key " + publicKey.getClass(), e);
        }
        SHA256Digest digest = new SHA256Digest();
        digest.update(blob, 0, blob.length);
        byte[] hash = new byte[digest.getDigestSize()];
        digest.doFinal(hash, 0);
        return new KeyFingerprint(
                "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash));
    }

    @Override
    public String toString() {
        return text;
    }
}
