package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing that is a mistake is silently ignored at run time: a policy with an unknown action or a
 * misspelt {@code java.*} permission class makes {@code airlock run} refuse to start, exit 2, with
 * exactly the {@code FILE:LINE:COL: message} lines {@code airlock check} prints; a {@code --java}
 * that does not exist is Airlock's own failure, exit 125.
 */
class PolicyMistakeIT {

    private static final String TYPOS = """
            grant {
              permission java.io.FilePermission "/srv/data/-", "raed";
              permission java.io.FilePermision "/srv/data/-", "read";
              permission java.net.SocketPermission "localhost:80", "conect";
            };
            """;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void runRefusesAMistakeWithTheLinesCheckPrints(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy = s.policy("typos.policy", TYPOS);
            Sandbox.Result check = Sandbox.Result.of(
                    new ProcessBuilder(Sandbox.LAUNCHER.toString(), "check", policy.toString()).start(), 60);
            assertEquals(2, check.exitCode(), check.stderr());
            List<String> errors = check.stderr().lines().toList();
            assertEquals(3, errors.size(), check.stderr());
            assertTrue(errors.get(0).startsWith(policy + ":2:3: invalid actions \"raed\""), errors.get(0));
            assertTrue(
                    errors.get(1).startsWith(policy + ":3:3: expected a permission class the JDK has"), errors.get(1));
            assertTrue(errors.get(2).startsWith(policy + ":4:3: invalid actions \"conect\""), errors.get(2));

            Sandbox.Result run = s.run(jdk, policy, "status");
            assertEquals(2, run.exitCode(), run.stderr());
            assertEquals(List.of(), run.stdout(), "no helper started");
            assertEquals(errors, run.stderr().lines().toList(), "the same lines as check");
        }
    }

    @Test
    void aMissingJavaExits125() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path missing = s.root.resolve("no-such-jdk/bin/java");
            List<String> command =
                    List.of(Sandbox.LAUNCHER.toString(), "run", "--java", missing.toString(), "--", "-version");
            Sandbox.Result r = Sandbox.Result.of(Sandbox.start(command), 60);
            assertEquals(125, r.exitCode(), r.stderr());
            assertEquals("airlock: --java " + missing + ": no such file\n", r.stderr());
        }
    }
}
