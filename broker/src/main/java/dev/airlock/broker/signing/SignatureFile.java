package dev.airlock.broker.signing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * A detached policy signature, the whole content of {@code POLICY.sig} ({@link PolicySignature}):
 * one line of ASCII,
 *
 * <pre>
 * airlock-signature-v1 ALGORITHM FINGERPRINT SIGNATURE
 * </pre>
 *
 * the format's tag and version, the key's algorithm ({@link KeyAlgorithm#token()}: {@code ed25519}
 * or {@code ecdsa-p256}), the signing key's fingerprint ({@link KeyFingerprint}, as
 * {@code ssh-keygen -l} prints it, so that a refusal can name the key) and the signature in
 * standard padded base64 (Ed25519: 64 bytes; ECDSA: DER {@code SEQUENCE {r, s}}), separated by
 * single spaces and ended by one newline. The fingerprint only chooses which trusted key to verify
 * with: it is not signed, and a wrong one only makes verification fail.
 *
 * <p>Reading is strict, so that a damaged file is reported as damaged rather than as a bad
 * signature: anything but those four fields, an unknown version or algorithm, base64 that does
 * not decode, or a signature of the wrong shape is a {@link SignatureFormatException}.
 */
public final class SignatureFile {
    /** The tag every signature file starts with, before its version. */
    static final String TAG = "airlock-signature-";

    /** The format this Airlock writes and reads. */
    public static final String FORMAT = TAG + "v1";

    /** Longer than any valid signature line (about 190 bytes); a longer file is not one. */
    static final int MAX_SIZE = 1024;

    private static final int ED25519_SIGNATURE = 64;

    private final KeyAlgorithm algorithm;
    private final KeyFingerprint key;
    private final byte[] signature;

    SignatureFile(KeyAlgorithm algorithm, KeyFingerprint key, byte[] signature) {
        this.algorithm = algorithm;
        this.key = key;
        this.signature = signature.clone();
    }

    /** Reads a signature file's content. */
    public static SignatureFile parse(byte[] content) throws SignatureFormatException {
        if (content.length == 0) {
            throw new SignatureFormatException("the signature file is empty");
        }
        if (content.length > MAX_SIZE) {
            throw new SignatureFormatException("not an Airlock signature file (larger than " + MAX_SIZE + " bytes)");
        }
        int end = content.length;
        if (content[end - 1] == '\n') {
            end--;
        }
        for (int i = 0; i < end; i++) {
            if (content[i] < 0x20 || content[i] > 0x7e) {
                throw new SignatureFormatException("not an Airlock signature file (not one line of ASCII text)");
            }
        }
        String line = new String(content, 0, end, StandardCharsets.US_ASCII);
        String[] fields = line.split(" ", -1);
        if (!fields[0].startsWith(TAG)) {
            throw new SignatureFormatException("not an Airlock signature file (it does not start with " + FORMAT + ")");
        }
        if (!fields[0].equals(FORMAT)) {
            throw new SignatureFormatException(
                    "unsupported signature format " + printable(fields[0]) + " (this Airlock reads " + FORMAT + ")");
        }
        if (fields.length != 4) {
            throw new SignatureFormatException("truncated or malformed signature line: " + fields.length
                    + " fields, where " + FORMAT + " has 4 (format, key algorithm, key fingerprint, signature)");
        }
        KeyAlgorithm algorithm = KeyAlgorithm.ofToken(fields[1])
                .orElseThrow(() -> new SignatureFormatException("unsupported key algorithm " + printable(fields[1])
                        + " (known: " + KeyAlgorithm.ED25519.token() + ", " + KeyAlgorithm.ECDSA_P256.token() + ")"));
        if (!KeyFingerprint.isFingerprint(fields[2])) {
            throw new SignatureFormatException("malformed key fingerprint " + printable(fields[2])
                    + " (expected SHA256: and 43 base64 characters)");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(fields[3]);
        } catch (IllegalArgumentException e) {
            throw new SignatureFormatException("truncated or malformed signature: not base64");
        }
        checkShape(algorithm, signature);
        return new SignatureFile(algorithm, new KeyFingerprint(fields[2]), signature);
    }

    private static void checkShape(KeyAlgorithm algorithm, byte[] signature) throws SignatureFormatException {
        switch (algorithm) {
            case ED25519 -> {
                if (signature.length != ED25519_SIGNATURE) {
                    throw new SignatureFormatException("truncated or malformed signature: " + signature.length
                            + " bytes, where an Ed25519 signature has " + ED25519_SIGNATURE);
                }
            }
            case ECDSA_P256 -> {
                try {
                    StandardDSAEncoding.INSTANCE.decode(KeyFiles.p256().getN(), signature);
                } catch (RuntimeException | java.io.IOException e) {
                    throw new SignatureFormatException(
                            "truncated or malformed signature: not a DER-encoded ECDSA P-256 signature");
                }
            }
        }
    }

    /** At most 40 characters of a field, for a message about it. */
    private static String printable(String field) {
        return "'" + (field.length() > 40 ? field.substring(0, 40) + "..." : field) + "'";
    }

    /** The file's content: the one line and its newline. */
    public byte[] encoded() {
        String line = FORMAT + " " + algorithm.token() + " " + key + " "
                + Base64.getEncoder().encodeToString(signature) + "\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    /** The fingerprint of the key the file says signed it (not itself signed). */
    public KeyFingerprint key() {
        return key;
    }

    byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignatureFile other
                && algorithm == other.algorithm
                && key.equals(other.key)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * algorithm.hashCode() + key.hashCode()) + Arrays.hashCode(signature);
    }
}
