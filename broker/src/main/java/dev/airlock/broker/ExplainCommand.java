package dev.airlock.broker;

import dev.airlock.policy.PolicyExplainer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock explain --policy FILE... [QUERY...]}: answers {@code ACTION TARGET} queries, given
 * as arguments or one per line on stdin, with one line each starting {@code ALLOW} or
 * {@code DENY} (or {@code ERROR} for a malformed query, which does not stop the rest).
 */
@Command(
        name = "explain",
        description = "Answer what a policy allows, e.g. 'read /srv/data/x' or 'connect db:5432'.",
        mixinStandardHelpOptions = true)
final class ExplainCommand implements Callable<Integer> {
    @Option(
            names = "--policy",
            paramLabel = "FILE",
            required = true,
            description = "A java.policy file; several combine.")
    List<Path> policies = new ArrayList<>();

    @Parameters(paramLabel = "QUERY", description = "Queries; without any, one per line on standard input.")
    List<String> queries = new ArrayList<>();

    private final PrintStream out;

    ExplainCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        PolicyExplainer explainer = new PolicyExplainer(Policies.load(policies));
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        if (queries.isEmpty()) {
            explainer.explainAll(
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16), writer);
        } else {
            StringBuilder line = new StringBuilder();
            for (String query : queries) {
                line.setLength(0);
                explainer.explain(query, line);
                writer.append(line).append('\n');
            }
        }
        writer.flush();
        return 0;
    }
}
