package dev.airlock.broker;

import dev.airlock.policy.PolicyExplainer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStream;
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
 * {@code DENY} (or {@code ERROR} for a malformed query, which does not stop the rest). Exit 0 when
 * every query was answered, {@link ExitCodes#QUERY_ERROR} when any answer is ERROR, so that a
 * script checking a list of requests cannot miss a malformed one.
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
    private final InputStream in;

    ExplainCommand(PrintStream out) {
        this(out, System.in);
    }

    ExplainCommand(PrintStream out, InputStream in) {
        this.out = out;
        this.in = in;
    }

    @Override
    public Integer call() throws Exception {
        PolicyExplainer explainer = new PolicyExplainer(Policies.load(policies));
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        long errors = 0;
        if (queries.isEmpty()) {
            errors = explainer
                    .explainAll(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16), writer)
                    .errors();
        } else {
            StringBuilder line = new StringBuilder();
            for (String query : queries) {
                line.setLength(0);
                if (!explainer.explain(query, line)) {
                    errors++;
                }
                writer.append(line).append('\n');
            }
        }
        writer.flush();
        return errors == 0 ? 0 : ExitCodes.QUERY_ERROR;
    }
}
