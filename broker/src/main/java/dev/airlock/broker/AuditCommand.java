package dev.airlock.broker;

import dev.airlock.broker.signing.KeyFileException;
import dev.airlock.broker.signing.VerifyingKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock audit verify FILE [--key PUBLIC]} and {@code airlock audit show FILE [--decision
 * deny|allow]}: the operator's side of the audit log that {@code run --audit} writes ({@link
 * AuditLog}). Verify prints {@code OK} with counts (exit 0) or the first line that was changed,
 * removed, moved or appended after the last seal (exit 1, {@link AuditVerifier}); show prints one
 * line per request for a person, denials first.
 */
@Command(
        name = "audit",
        description = "Verify or show an audit log written by run --audit.",
        mixinStandardHelpOptions = true,
        subcommands = {AuditCommand.Verify.class, AuditCommand.Show.class})
final class AuditCommand {
    /** The exit status of a log that fails verification. */
    static final int TAMPERED = 1;

    static byte[] read(Path file) throws AirlockException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, file + ": cannot read the audit log: " + e.getMessage());
        }
    }

    /** {@code audit verify}. */
    @Command(name = "verify", description = "Check the log's hash chain and, with --key, its seals.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The audit log.")
        Path file;

        @Option(
                names = "--key",
                paramLabel = "PUBLIC",
                description = "The public key of the run's --audit-key (PEM or OpenSSH .pub).")
        Path key;

        private final PrintStream out = System.out;

        @Override
        public Integer call() throws AirlockException {
            Optional<VerifyingKey> verifying = Optional.empty();
            if (key != null) {
                try {
                    verifying = Optional.of(VerifyingKey.read(key));
                } catch (KeyFileException e) {
                    throw new AirlockException(ExitCodes.USAGE, "--key " + e.getMessage());
                }
            }
            AuditVerifier.Result r = AuditVerifier.verify(read(file), verifying);
            if (r.problem().isPresent()) {
                out.println(file + ": " + r.problem().get());
                out.flush();
                return TAMPERED;
            }
            String counts = r.lines() + " records: " + r.requests() + " requests (" + r.denials() + " denied), "
                    + r.suppressed() + " suppressed records, " + r.seals() + " seals";
            out.println(file + ": OK: " + counts
                    + (verifying.isPresent()
                            ? ", verified with " + verifying.get()
                            : "; chain intact, seals NOT checked (no --key)"));
            out.flush();
            return 0;
        }
    }

    /** {@code audit show}. */
    @Command(name = "show", description = "Print the log for a person: one line per request, denials first.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The audit log.")
        Path file;

        @Option(names = "--decision", paramLabel = "deny|allow", description = "Only the requests so decided.")
        String decision;

        private final PrintStream out = System.out;

        @Override
        public Integer call() throws AirlockException {
            if (decision != null && !decision.equals("deny") && !decision.equals("allow")) {
                throw new AirlockException(ExitCodes.USAGE, "--decision " + decision + ": expected deny or allow");
            }
            List<String[]> denied = new ArrayList<>();
            List<String[]> allowed = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            String[] lines =
                    new String(read(file), StandardCharsets.UTF_8).lines().toArray(String[]::new);
            for (int i = 0; i < lines.length; i++) {
                Map<String, Object> r;
                try {
                    r = AuditJson.object(lines[i]);
                } catch (AuditJson.AuditFormatException e) {
                    notes.add("line " + (i + 1) + ": not a record (" + e.getMessage() + ")");
                    continue;
                }
                Object type = r.get("type");
                if ("suppressed".equals(type)) {
                    notes.add("line " + (i + 1) + ": " + r.get("count") + " allowed records suppressed");
                } else if ("request".equals(type)) {
                    String d = String.valueOf(r.get("decision"));
                    if (decision == null || decision.equals(d)) {
                        (d.equals("deny") ? denied : allowed).add(row(r));
                    }
                }
            }
            List<String[]> rows = new ArrayList<>(denied);
            rows.addAll(allowed);
            int[] width = new int[5];
            for (String[] row : rows) {
                for (int c = 0; c < width.length; c++) {
                    width[c] = Math.max(width[c], row[c].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder b = new StringBuilder();
                for (int c = 0; c < width.length; c++) {
                    b.append(row[c]).append(" ".repeat(width[c] - row[c].length() + 2));
                }
                out.println(b.append(row[5]).toString().stripTrailing());
            }
            notes.forEach(out::println);
            out.flush();
            return 0;
        }

        /** seq, time, decision, op, errno, then the checks. */
        private static String[] row(Map<String, Object> r) {
            StringBuilder checks = new StringBuilder();
            if (r.get("checks") instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> c) {
                        if (checks.length() > 0) {
                            checks.append("; ");
                        }
                        checks.append(c.get("target"))
                                .append(' ')
                                .append(c.get("actions"))
                                .append(Boolean.TRUE.equals(c.get("allowed")) ? " allowed by " : " denied: ")
                                .append(c.get("rule"));
                    }
                }
            }
            Object errno = r.get("errno");
            return new String[] {
                String.valueOf(r.get("seq")),
                String.valueOf(r.get("time")),
                String.valueOf(r.get("decision")).toUpperCase(java.util.Locale.ROOT),
                String.valueOf(r.get("op")),
                errno == AuditJson.NULL ? "-" : String.valueOf(errno),
                checks.toString()
            };
        }
    }
}
