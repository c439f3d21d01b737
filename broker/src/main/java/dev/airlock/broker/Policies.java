package dev.airlock.broker;

import dev.airlock.broker.signing.PolicySignatureException;
import dev.airlock.broker.signing.TrustedKeys;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicySyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Loads the --policy files into one policy, turning any error into a usage failure with nothing
 * started: every error of the file, one {@code FILE:LINE:COL: message} line each, as
 * {@code airlock check} prints them. With trusted keys ({@code --trust}), each file must first
 * carry a trusted key's valid signature over its bytes ({@link TrustedKeys#requireSigned}); each
 * file is read once, and the bytes verified are the bytes parsed, so that nothing can change it
 * between the check and the use.
 */
final class Policies {
    private Policies() {}

    static Policy load(List<Path> files) throws AirlockException {
        return load(files, System::getProperty, TrustedKeys.none());
    }

    /**
     * The bytes of policy file {@code file}, or a usage error that says why it cannot be read
     * (no such file, permission denied, not a regular file: a FIFO or a directory is refused
     * unread, so it cannot stall the command).
     */
    static byte[] read(Path file) throws AirlockException {
        try {
            return Policy.read(file);
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, file + ": cannot read policy: " + Policy.describe(e));
        }
    }

    /**
     * As {@link #load(List)}, expanding {@code ${...}} with {@code properties} ({@link SandboxPlanner#policyProperties}),
     * and refusing any file without a valid signature by one of {@code trusted} unless that is empty.
     */
    static Policy load(List<Path> files, Function<String, String> properties, TrustedKeys trusted)
            throws AirlockException {
        return load(files, properties, trusted, new ArrayList<>());
    }

    /**
     * As {@link #load(List, Function, TrustedKeys)}, adding to {@code read} each file with the
     * SHA-256 of the very bytes parsed (for the audit log's run record).
     */
    static Policy load(
            List<Path> files, Function<String, String> properties, TrustedKeys trusted, List<AuditLog.PolicyFile> read)
            throws AirlockException {
        if (files.isEmpty()) {
            return Policy.empty();
        }
        List<Policy> parsed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes = read(file);
            read.add(AuditLog.PolicyFile.of(file.toAbsolutePath().toString(), bytes));
            if (!trusted.isEmpty()) {
                try {
                    trusted.requireSigned(file, bytes);
                } catch (PolicySignatureException e) {
                    throw new AirlockException(ExitCodes.USAGE, e.getMessage());
                }
            }
            try {
                // As Policy.parse(Path) reads a file: UTF-8, malformed bytes replaced.
                parsed.add(Policy.parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), properties));
            } catch (PolicySyntaxException e) {
                errors.addAll(e.messages());
            }
        }
        if (!errors.isEmpty()) {
            throw new AirlockException(ExitCodes.USAGE, String.join("\n", errors));
        }
        return parsed.size() == 1 ? parsed.get(0) : Policy.combine(parsed);
    }
}
