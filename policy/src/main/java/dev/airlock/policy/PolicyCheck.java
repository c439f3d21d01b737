package dev.airlock.policy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The result of validating policy files, for {@code airlock check}: every file is parsed and
 * compiled on its own, so one bad file does not hide another's mistakes.
 *
 * <p>{@link #errors()} are lines {@code FILE:LINE:COL: message} (or {@code FILE: cannot read:
 * why} when a file cannot be read); any error means Airlock would refuse to start, with the same
 * lines. {@link #warnings()} never stop Airlock but point at entries that do not do what they
 * seem to; {@link #notEnforced()} lists, grouped across the files, what is legitimate in a
 * SecurityManager policy but not enforced by Airlock; {@link #notes()} point at what a policy
 * written for the SecurityManager keeps hidden, as it did there, but its author may not expect.
 */
public final class PolicyCheck {

    private final List<String> errors;
    private final List<PolicyWarning> warnings;
    private final List<NotEnforced> notEnforced;
    private final List<String> notes;
    private final Policy policy;

    private PolicyCheck(List<String> errors, List<PolicyWarning> warnings, List<Policy> parsed) {
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
        // What the policy would not enforce or keep hidden is told about the policy Airlock would
        // run with, so only when there is one: with errors, they are what to fix first.
        this.policy = errors.isEmpty() ? Policy.combine(parsed) : null;
        this.notEnforced = policy == null ? List.of() : policy.notEnforced();
        this.notes = policy == null ? List.of() : notes(policy);
    }

    /**
     * A grant of a directory's tree ({@code DIR/-}) or entries ({@code DIR/*}) does not cover the
     * directory itself, in the JDK as in Airlock: listing it, or asking whether it exists, is
     * denied. A program told to read a tree usually starts there, so each such grant with read,
     * where nothing else grants read on the directory, gets a note naming the entry to add.
     */
    private static List<String> notes(Policy policy) {
        List<String> out = new ArrayList<>();
        for (FileGrant g : policy.fileGrants()) {
            if ((g.kind() != FileGrant.Kind.TREE && g.kind() != FileGrant.Kind.ENTRIES)
                    || (g.actions() & FileActions.READ) == 0
                    || policy.allowsFile(g.path(), FileActions.READ)) {
                continue;
            }
            String dir = g.path();
            String pattern = (dir.equals("/") ? "/" : dir + "/") + (g.kind() == FileGrant.Kind.TREE ? "-" : "*");
            out.add("note: " + pattern + " does not cover " + dir + " itself, which stays hidden as it was under"
                    + " the SecurityManager (listing it and File.exists() or stat of it are denied); to allow"
                    + " them, add: permission " + PolicyCompiler.FILE_PERMISSION + " \"" + dir + "\", \"read\";");
        }
        out.sort(null);
        return List.copyOf(out);
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
                errors.addAll(e.messages());
            } catch (IOException e) {
                errors.add(name + ": cannot read: " + Policy.describe(e));
            }
        }
        return new PolicyCheck(errors, warnings, policies);
    }

    /** Checks policy text. */
    public static PolicyCheck check(String displayName, String text) {
        try {
            Policy p = Policy.parse(displayName, text);
            return new PolicyCheck(List.of(), p.warnings(), List.of(p));
        } catch (PolicySyntaxException e) {
            return new PolicyCheck(e.messages(), List.of(), List.of());
        }
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

    /** What Airlock does not enforce, grouped across the files; empty when there are errors. */
    public List<NotEnforced> notEnforced() {
        return notEnforced;
    }

    /** Notes on directories that stay hidden, each one line starting {@code note: }; empty with errors. */
    public List<String> notes() {
        return notes;
    }

    /** The combined policy, when there were no errors. */
    public Optional<Policy> policy() {
        return Optional.ofNullable(policy);
    }
}
