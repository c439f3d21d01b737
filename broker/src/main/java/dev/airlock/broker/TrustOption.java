package dev.airlock.broker;

import dev.airlock.broker.signing.KeyFileException;
import dev.airlock.broker.signing.TrustedKeys;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code --trust PUBLIC} option of {@code run} and {@code check}: the keys read, or a usage
 * failure naming the key file and why it cannot be used. Without the option, no key is read and
 * no signature is needed (nothing of the signing code's cryptography is loaded).
 */
final class TrustOption {
    private TrustOption() {}

    static TrustedKeys read(List<Path> files) throws AirlockException {
        if (files.isEmpty()) {
            return TrustedKeys.none();
        }
        try {
            return TrustedKeys.read(files);
        } catch (KeyFileException e) {
            throw new AirlockException(ExitCodes.USAGE, "--trust " + e.getMessage());
        }
    }
}
