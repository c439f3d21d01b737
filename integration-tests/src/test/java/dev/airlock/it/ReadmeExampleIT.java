package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's example policy for a service, taken from the README itself, through the real
 * {@code airlock check} and {@code airlock explain}: it must be a valid policy with nothing left
 * unenforced, and grant exactly what the README says it grants, so the manual cannot drift from
 * what Airlock does.
 */
class ReadmeExampleIT {
    private static final Path README = Path.of("../README.md");
    private static final String START = "```java\n// service.policy\n";

    /** The policy between the README's {@code // service.policy} fence and its end. */
    private static String servicePolicy() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf(START);
        assertTrue(start >= 0, "README.md has no " + START.strip() + " block");
        int end = readme.indexOf("```", start + START.length());
        return readme.substring(start + "```java\n".length(), end);
    }

    @Test
    void theServicePolicyGrantsWhatTheReadmeSays() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy = s.policy("service.policy", servicePolicy());
            Sandbox.Result check = Sandbox.Result.of(
                    new ProcessBuilder(Sandbox.LAUNCHER.toString(), "check", policy.toString()).start(), 60);
            assertEquals(0, check.exitCode(), check.stderr());
            assertEquals("", check.stderr(), "the example holds nothing Airlock does not enforce, and no note");

            List<String> queries = List.of(
                    "connect db.internal:5432",
                    "connect api.payments.example:443",
                    "listen localhost:443",
                    "resolve db.internal",
                    "read /etc/orders/orders.conf",
                    "write /var/lib/orders/orders.db",
                    "read /var/lib/orders",
                    "connect db.internal:5433",
                    "resolve evil.example",
                    "listen localhost:8080",
                    "connect 10.0.0.9:5432",
                    "write /etc/orders/orders.conf",
                    "read /etc/passwd");
            List<String> command =
                    new ArrayList<>(List.of(Sandbox.LAUNCHER.toString(), "explain", "--policy", policy.toString()));
            command.addAll(queries);
            Sandbox.Result explain = Sandbox.Result.of(new ProcessBuilder(command).start(), 60);
            assertEquals(0, explain.exitCode(), explain.stderr());
            String by = " by " + policy + ":";
            assertEquals(
                    List.of(
                            "ALLOW connect db.internal:5432" + by + "6",
                            "ALLOW connect api.payments.example:443" + by + "7",
                            "ALLOW listen localhost:443" + by + "8",
                            "ALLOW resolve db.internal" + by + "6",
                            "ALLOW read /etc/orders/orders.conf" + by + "3",
                            "ALLOW write /var/lib/orders/orders.db" + by + "5",
                            "ALLOW read /var/lib/orders" + by + "4",
                            "DENY connect db.internal:5433 (closest grant: " + policy
                                    + ":6 \"db.internal:5432\" grants connect, not on port 5433)",
                            "DENY resolve evil.example",
                            "DENY listen localhost:8080 (closest grant: " + policy
                                    + ":8 \"localhost:443\" grants listen, not on port 8080)",
                            "DENY connect 10.0.0.9:5432 (closest grant: " + policy
                                    + ":6 \"db.internal:5432\" grants connect on port 5432, for another host)",
                            "DENY write /etc/orders/orders.conf (closest grant: " + policy
                                    + ":3 \"/etc/orders/orders.conf\" grants read, not write)",
                            "DENY read /etc/passwd"),
                    explain.stdout());
        }
    }
}
