package dev.airlock.broker;

import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicySyntaxException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Loads the --policy files into one policy, turning any error into a usage failure with nothing
 * started: every error of the file, one {@code FILE:LINE:COL: message} line each, as
 * {@code airlock check} prints them.
 */
final class Policies {
    private Policies() {}

    static Policy load(List<Path> files) throws AirlockException {
        return load(files, System::getProperty);
    }

    /** As {@link #load(List)}, expanding {@code ${...}} with {@code properties} ({@link SandboxPlanner#policyProperties}). */
    static Policy load(List<Path> files, Function<String, String> properties) throws AirlockException {
        if (files.isEmpty()) {
            return Policy.empty();
        }
        List<Policy> parsed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path file : files) {
            try {
                parsed.add(Policy.parse(file, file.toString(), properties));
            } catch (PolicySyntaxException e) {
                errors.addAll(e.messages());
            } catch (IOException e) {
                throw new AirlockException(ExitCodes.USAGE, file + ": cannot read policy: " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new AirlockException(ExitCodes.USAGE, String.join("\n", errors));
        }
        return parsed.size() == 1 ? parsed.get(0) : Policy.combine(parsed);
    }
}
