package dev.airlock.broker;

import dev.airlock.broker.signing.KeyFileException;
import dev.airlock.broker.signing.PolicySignature;
import dev.airlock.broker.signing.SignatureFile;
import dev.airlock.broker.signing.SigningKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock sign --key PRIVATE FILE...}: writes {@code FILE.sig} beside each policy file, a
 * detached signature over its exact bytes ({@link PolicySignature}), which {@code airlock run
 * --trust PUBLIC} then requires. The key is Ed25519 or ECDSA P-256, in PEM or OpenSSH form (an
 * {@code ssh-keygen} key works as it is). Every file is read before any signature is written, and
 * each signature file replaces the old one atomically; one line per file on stdout says which key
 * signed it ({@code FILE.sig: signed by ed25519 key SHA256:...}). It signs bytes, not meaning:
 * {@code airlock check} is what validates a policy.
 */
@Command(
        name = "sign",
        description = "Sign policy files with a private key: writes FILE.sig beside each, for run --trust.",
        mixinStandardHelpOptions = true)
final class SignCommand implements Callable<Integer> {
    @Option(
            names = "--key",
            paramLabel = "PRIVATE",
            required = true,
            description =
                    "The private key (Ed25519 or ECDSA P-256; PEM, or OpenSSH as ssh-keygen writes it; unencrypted).")
    Path key;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Policy files to sign.")
    List<Path> files = new ArrayList<>();

    private final PrintStream out;

    SignCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws AirlockException {
        SigningKey signingKey;
        try {
            signingKey = SigningKey.read(key);
        } catch (KeyFileException e) {
            throw new AirlockException(ExitCodes.USAGE, "--key " + e.getMessage());
        }
        List<byte[]> contents = new ArrayList<>();
        for (Path file : files) {
            contents.add(Policies.read(file));
        }
        for (int i = 0; i < files.size(); i++) {
            SignatureFile signature = PolicySignature.sign(signingKey, contents.get(i));
            Path target = PolicySignature.signatureFileOf(files.get(i));
            write(target, signature.encoded());
            out.println(target + ": signed by " + signingKey.verifyingKey());
        }
        out.flush();
        return 0;
    }

    /** Replaces {@code target} atomically by {@code content}, readable by everyone (a signature is public). */
    private static void write(Path target, byte[] content) throws AirlockException {
        Path absolute = target.toAbsolutePath();
        Path temporary = null;
        try {
            temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            Files.write(temporary, content);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, target + ": cannot write the signature: " + e.getMessage());
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // The write already failed and says so; a stray temporary file is named after its target.
                }
            }
        }
    }
}
