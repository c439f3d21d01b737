package dev.airlock.broker;

import dev.airlock.broker.signing.SignatureState;
import dev.airlock.broker.signing.TrustedKeys;
import dev.airlock.policy.NotEnforced;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyCheck;
import dev.airlock.policy.PolicyWarning;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock check FILE...}: validates policies without running anything. Exit 0 when every
 * file is valid: warnings ({@code FILE:LINE:COL: warning: ...}), what Airlock does not enforce
 * (one {@code not enforced by Airlock: ...} line per group, across all files) and notes on
 * directories that stay hidden ({@code note: ...}) go to stderr. Exit 2 with one
 * {@code FILE:LINE:COL: message} line per error when any file is not valid: the same lines, and
 * the same exit code, {@code airlock run} refuses to start with.
 *
 * <p>Signatures: with {@code --trust PUBLIC}, one {@code FILE: STATE} line per file says what its
 * signature amounts to ({@link SignatureState#describe()}: signed by a trusted key, by a key not
 * trusted, unsigned, invalid), and any file that {@code airlock run} with the same keys would
 * refuse makes the exit 2. Without it, the line is printed for each file that has a signature
 * file, and signatures change nothing of the exit code, as they change nothing of a run.
 */
@Command(name = "check", description = "Validate policy files.", mixinStandardHelpOptions = true)
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Policy files to check.")
    List<Path> files = new ArrayList<>();

    @Option(
            names = "--trust",
            paramLabel = "PUBLIC",
            description = "A public key trusted to sign policies, as for run: report each file's signature against it.")
    List<Path> trust = new ArrayList<>();

    private final PrintStream err;

    CheckCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws AirlockException {
        TrustedKeys trusted = TrustOption.read(trust);
        PolicyCheck check = PolicyCheck.check(files);
        for (PolicyWarning warning : check.warnings()) {
            err.println(warning);
        }
        for (NotEnforced group : check.notEnforced()) {
            err.println(group);
        }
        for (String note : check.notes()) {
            err.println(note);
        }
        boolean refused = false;
        for (Path file : files) {
            byte[] content;
            try {
                content = Policy.read(file);
            } catch (IOException e) {
                continue; // an error of the check's already
            }
            SignatureState state = trusted.examine(file, content);
            if (!trusted.isEmpty() || !(state instanceof SignatureState.Unsigned)) {
                err.println(file + ": " + state.describe());
            }
            refused |= !trusted.isEmpty() && !(state instanceof SignatureState.Verified);
        }
        for (String error : check.errors()) {
            err.println(error);
        }
        return check.ok() && !refused ? 0 : ExitCodes.USAGE;
    }
}
