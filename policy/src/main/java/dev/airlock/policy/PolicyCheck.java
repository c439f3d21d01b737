package dev.airlock.policy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The result of validating policy files, for {@code airlock check}: every file is parsed and
 * compiled on its own, so one bad file does not hide another's mistakes.
 *
 * <p>{@link #errors()} are lines {@code FILE:LINE:COL: message} (or {@code FILE: cannot read:
 * why} when a file cannot be read); any error means Airlock would refuse to start.
 * {@link #warnings()} never stop Airlock but point at grants that grant nothing.
 */
public final class PolicyCheck {

    private final List<String> errors;
    private final List<PolicyWarning> warnings;
    private final Policy policy;

    private PolicyCheck(List<String> errors, List<PolicyWarning> warnings, Policy policy) {
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
        this.policy = policy;
    }

    /** Checks files, naming each by its path as given. */
    public static PolicyCheck check(List<Path> files) {
        List<String> errors = new ArrayList<>();
        List<PolicyWarning> warnings = new ArrayList<>();
        List<Policy> policies = new ArrayList<>();
        for (Path file : files) {
            String name = file.toString();
            try {
                Policy p = Policy.parse(file, name);
                policies.add(p);
                warnings.addAll(p.warnings());
            } catch (PolicySyntaxException e) {
                errors.add(e.getMessage());
            } catch (IOException e) {
                errors.add(name + ": cannot read: " + describe(e));
            }
        }
        return new PolicyCheck(errors, warnings, errors.isEmpty() ? Policy.combine(policies) : null);
    }

    /** Checks policy text. */
    public static PolicyCheck check(String displayName, String text) {
        try {
            Policy p = Policy.parse(displayName, text);
            return new PolicyCheck(List.of(), p.warnings(), p);
        } catch (PolicySyntaxException e) {
            return new PolicyCheck(List.of(e.getMessage()), List.of(), null);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** True when there are no errors. */
    public boolean ok() {
        return errors.isEmpty();
    }

    /** One line per error, in file order. */
    public List<String> errors() {
        return errors;
    }

    /** Warnings of every file that parsed. */
    public List<PolicyWarning> warnings() {
        return warnings;
    }

    /** The combined policy, when there were no errors. */
    public Optional<Policy> policy() {
        return Optional.ofNullable(policy);
    }
}
