package dev.airlock.broker.signing;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads key files into Bouncy Castle's key parameters, in the formats people already have:
 *
 * <ul>
 *   <li>private keys: OpenSSH's own ({@code -----BEGIN OPENSSH PRIVATE KEY-----}, as
 *       {@code ssh-keygen} writes it; unencrypted only), PKCS#8 ({@code PRIVATE KEY}, as
 *       {@code openssl genpkey} writes it) and, for P-256, SEC1 ({@code EC PRIVATE KEY}, as
 *       {@code openssl ecparam -genkey} writes it, with or without its {@code EC PARAMETERS});
 *   <li>public keys: PEM SubjectPublicKeyInfo ({@code PUBLIC KEY}, {@code openssl pkey -pubout})
 *       and OpenSSH's one line ({@code ssh-ed25519 AAAA... comment}, {@code ecdsa-sha2-nistp256
 *       AAAA... comment}, a {@code .pub} file).
 * </ul>
 *
 * <p>Only Ed25519 and ECDSA on P-256 are accepted ({@link KeyAlgorithm}); every other key, an
 * encrypted private key, a private key where a public one is wanted and the reverse are refused
 * with a message naming the file and the reason. The parsing of the key material itself is
 * Bouncy Castle's; this class only tells the formats apart and checks what came out.
 */
final class KeyFiles {
    /** Larger than any key file of the accepted kinds; a larger file is not one. */
    static final int MAX_SIZE = 64 * 1024;

    private static final byte[] OPENSSH_MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

    private KeyFiles() {}

    /** A key and its algorithm, as read from a file. */
    record Parsed(KeyAlgorithm algorithm, AsymmetricKeyParameter key) {}

    /** The text of a key file, read once and bounded. */
    static String read(Path file) throws KeyFileException {
        byte[] bytes;
        try {
            // Anything but a regular file is no key (and a FIFO would block the broker).
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                throw new KeyFileException(file, "not a key file (not a regular file)");
            }
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "no such key file", e);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read the key file: " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_SIZE + 1);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "no such key file", e);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read the key file: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_SIZE) {
            throw new KeyFileException(file, "not a key file (larger than " + MAX_SIZE + " bytes)");
        }
        try {
            return StandardCharsets.US_ASCII
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new KeyFileException(file, "not a key file (it is not ASCII text)", e);
        }
    }

    /** The private key {@code text} (read from {@code file}) holds. */
    static Parsed privateKey(Path file, String text) throws KeyFileException {
        if (!text.stripLeading().startsWith("-----BEGIN ")) {
            if (isOpenSshPublicLine(text)) {
                throw new KeyFileException(file, "this is a public key; signing needs the private key");
            }
            throw new KeyFileException(file, "not a private key (expected PEM or an OpenSSH private key)");
        }
        for (PemObject object : pemObjects(file, text)) {
            String type = object.getType();
            switch (type) {
                case "EC PARAMETERS":
                    // openssl ecparam -genkey writes the curve's name before the key, which names it again.
                    continue;
                case "OPENSSH PRIVATE KEY":
                    requireUnencryptedOpenSsh(file, object.getContent());
                    return privateOf(file, () -> OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(object.getContent()));
                case "PRIVATE KEY":
                    return privateOf(file, () -> PrivateKeyFactory.createKey(object.getContent()));
                case "EC PRIVATE KEY":
                    if (encryptedPemHeaders(object)) {
                        throw encrypted(file);
                    }
                    // A SEC1 ECPrivateKey structure, which Bouncy Castle's OpenSSH parser also reads (as OpenSSH once
                    // stored ECDSA keys).
                    return privateOf(file, () -> OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(object.getContent()));
                case "ENCRYPTED PRIVATE KEY":
                    throw encrypted(file);
                case "PUBLIC KEY":
                    throw new KeyFileException(file, "this is a public key; signing needs the private key");
                default:
                    throw new KeyFileException(
                            file, "unsupported key type " + type + " (Airlock signs with Ed25519 or ECDSA P-256)");
            }
        }
        throw new KeyFileException(file, "no private key in the PEM file");
    }

    /** The public key {@code text} (read from {@code file}) holds. */
    static Parsed publicKey(Path file, String text) throws KeyFileException {
        if (text.stripLeading().startsWith("-----BEGIN ")) {
            for (PemObject object : pemObjects(file, text)) {
                String type = object.getType();
                if (type.equals("EC PARAMETERS")) {
                    continue;
                }
                if (type.equals("PUBLIC KEY")) {
                    return publicOf(file, () -> PublicKeyFactory.createKey(object.getContent()));
                }
                if (type.endsWith("PRIVATE KEY")) {
                    throw new KeyFileException(
                            file,
                            "this is a private key; trust the public key (the .pub file, or openssl pkey -pubout)");
                }
                throw new KeyFileException(file, "unsupported PEM type " + type + " (expected PUBLIC KEY)");
            }
            throw new KeyFileException(file, "no public key in the PEM file");
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            if (!stripped.isEmpty() && !stripped.startsWith("#")) {
                lines.add(stripped);
            }
        }
        if (lines.isEmpty()) {
            throw new KeyFileException(file, "no public key in the file");
        }
        String[] fields = lines.get(0).split("[ \t]+", 3);
        if (fields.length < 2) {
            throw new KeyFileException(file, "not a public key (expected PEM or one line 'ssh-ed25519 AAAA...')");
        }
        KeyAlgorithm expected = switch (fields[0]) {
            case "ssh-ed25519" -> KeyAlgorithm.ED25519;
            case "ecdsa-sha2-nistp256" -> KeyAlgorithm.ECDSA_P256;
            default ->
                throw new KeyFileException(
                        file,
                        fields[0].matches("(ssh|ecdsa-sha2|sk)-[a-z0-9@.-]+")
                                ? "unsupported key type " + fields[0]
                                        + " (Airlock verifies Ed25519 or ECDSA P-256 keys)"
                                : "not a public key (expected PEM or one line 'ssh-ed25519 AAAA...')");
        };
        if (lines.size() != 1) {
            throw new KeyFileException(file, "holds " + lines.size() + " lines; a public key file holds one key");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(fields[1]);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, "the OpenSSH public key is not base64", e);
        }
        Parsed parsed = publicOf(file, () -> OpenSSHPublicKeyUtil.parsePublicKey(blob));
        if (parsed.algorithm() != expected) {
            throw new KeyFileException(file, "the line says " + fields[0] + " but holds another kind of key");
        }
        return parsed;
    }

    private static boolean isOpenSshPublicLine(String text) {
        return text.stripLeading().matches("(?s)(ssh|ecdsa-sha2|sk)-[a-z0-9@.-]+ .*");
    }

    private static List<PemObject> pemObjects(Path file, String text) throws KeyFileException {
        List<PemObject> objects = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            PemObject object;
            while ((object = reader.readPemObject()) != null) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file, "malformed PEM: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new KeyFileException(file, "malformed PEM: no BEGIN and END lines around base64");
        }
        return objects;
    }

    /** A PEM key encrypted the traditional OpenSSL way ({@code Proc-Type: 4,ENCRYPTED}). */
    private static boolean encryptedPemHeaders(PemObject object) {
        for (Object header : object.getHeaders()) {
            if (header instanceof PemHeader h
                    && h.getName().equalsIgnoreCase("Proc-Type")
                    && h.getValue().toUpperCase(Locale.ROOT).contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses an OpenSSH key whose cipher is not {@code none}, before Bouncy Castle reads it: its
     * format is the magic {@code openssh-key-v1\0}, then the cipher's name as an SSH string (a
     * big-endian u32 length and the bytes).
     */
    private static void requireUnencryptedOpenSsh(Path file, byte[] blob) throws KeyFileException {
        if (blob.length < OPENSSH_MAGIC.length + 4
                || !Arrays.equals(Arrays.copyOf(blob, OPENSSH_MAGIC.length), OPENSSH_MAGIC)) {
            throw new KeyFileException(file, "malformed OpenSSH private key (no openssh-key-v1 header)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(blob, OPENSSH_MAGIC.length, blob.length - OPENSSH_MAGIC.length);
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining() || length > 64) {
            throw new KeyFileException(file, "malformed OpenSSH private key (its cipher name)");
        }
        byte[] cipher = new byte[length];
        buffer.get(cipher);
        if (!Arrays.equals(cipher, "none".getBytes(StandardCharsets.US_ASCII))) {
            throw encrypted(file);
        }
    }

    private static KeyFileException encrypted(Path file) {
        return new KeyFileException(
                file,
                "the private key is encrypted with a passphrase, which Airlock does not read: sign with an"
                        + " unencrypted key (ssh-keygen -N '' or openssl genpkey without a cipher)");
    }

    /** What Bouncy Castle's parsers are: they fail with IOException or a runtime exception on malformed input. */
    private interface KeyParser {
        AsymmetricKeyParameter parse() throws IOException;
    }

    private static Parsed privateOf(Path file, KeyParser parser) throws KeyFileException {
        AsymmetricKeyParameter key = parse(file, parser, "private");
        if (!key.isPrivate()) {
            throw new KeyFileException(file, "this is a public key; signing needs the private key");
        }
        return new Parsed(algorithmOf(file, key), key);
    }

    private static Parsed publicOf(Path file, KeyParser parser) throws KeyFileException {
        AsymmetricKeyParameter key = parse(file, parser, "public");
        if (key.isPrivate()) {
            throw new KeyFileException(file, "this is a private key; trust the public key");
        }
        return new Parsed(algorithmOf(file, key), key);
    }

    private static AsymmetricKeyParameter parse(Path file, KeyParser parser, String kind) throws KeyFileException {
        try {
            AsymmetricKeyParameter key = parser.parse();
            if (key == null) {
                throw new KeyFileException(file, "malformed " + kind + " key");
            }
            return key;
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file, "malformed " + kind + " key: " + e.getMessage(), e);
        }
    }

    private static KeyAlgorithm algorithmOf(Path file, AsymmetricKeyParameter key) throws KeyFileException {
        if (key instanceof Ed25519PrivateKeyParameters || key instanceof Ed25519PublicKeyParameters) {
            return KeyAlgorithm.ED25519;
        }
        if (key instanceof ECKeyParameters ec) {
            if (isP256(ec.getParameters())) {
                return KeyAlgorithm.ECDSA_P256;
            }
            throw new KeyFileException(
                    file, "an ECDSA key on another curve than P-256 (Airlock signs with Ed25519 or ECDSA P-256)");
        }
        String name = key.getClass().getSimpleName().replaceFirst("(Private|Public).*$", "");
        throw new KeyFileException(
                file, "unsupported key type " + name + " (Airlock signs with Ed25519 or ECDSA P-256)");
    }

    private static boolean isP256(ECDomainParameters parameters) {
        if (parameters instanceof ECNamedDomainParameters named) {
            return named.getName().equals(SECObjectIdentifiers.secp256r1);
        }
        ECNamedDomainParameters p256 = p256();
        return parameters.getCurve().equals(p256.getCurve())
                && parameters.getG().equals(p256.getG())
                && parameters.getN().equals(p256.getN());
    }

    /** NIST P-256 (secp256r1), the one curve accepted. */
    static ECNamedDomainParameters p256() {
        ASN1ObjectIdentifier oid = SECObjectIdentifiers.secp256r1;
        return ECNamedDomainParameters.lookup(oid);
    }
}
