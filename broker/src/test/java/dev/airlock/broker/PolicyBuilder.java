package dev.airlock.broker;

import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicySyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of a test's java.policy, one {@code FilePermission} grant line at a time, and the
 * {@link Policy} parsed from it. The name is what denials quote ("denied by airlock policy NAME:
 * actions"), so {@link ServerFixture#assertDenied} can check the whole reason.
 */
final class PolicyBuilder {
    private final String name;
    private final List<String> grants = new ArrayList<>();

    private PolicyBuilder(String name) {
        this.name = name;
    }

    /** An empty policy that denials will name {@code name}. */
    static PolicyBuilder named(String name) {
        return new PolicyBuilder(name);
    }

    /** Grants {@code actions} on everything beneath {@code directory} ({@code directory/-}), not on it. */
    PolicyBuilder beneath(Path directory, String actions) {
        return grant(directory + "/-", actions);
    }

    /** Grants {@code actions} on {@code target} as written: a path, a wildcard, or {@code <<ALL FILES>>}. */
    PolicyBuilder grant(Object target, String actions) {
        grants.add("  permission java.io.FilePermission \"" + target + "\", \"" + actions + "\";");
        return this;
    }

    String name() {
        return name;
    }

    /** The policy file's text: one grant block with every line added. */
    String text() {
        return "grant {\n" + String.join("\n", grants) + "\n};\n";
    }

    Policy build() throws PolicySyntaxException {
        return Policy.parse(name, text());
    }
}
