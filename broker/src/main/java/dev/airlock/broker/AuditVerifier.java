package dev.airlock.broker;

import dev.airlock.broker.signing.AuditSeal;
import dev.airlock.broker.signing.VerifyingKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an audit log ({@link AuditLog}) line by line: each line a record, its {@code seq} its
 * place, its {@code prev} the SHA-256 of the line before (all zeros on the first); with a key,
 * every seal's count and signature, and nothing after the last seal. The answer is OK with counts,
 * or the first line that was changed, removed, moved or appended, with its number (from 1).
 */
final class AuditVerifier {
    private AuditVerifier() {}

    /** The outcome: {@code problem} empty when the log is intact; the counts of what was read. */
    record Result(Optional<String> problem, long lines, long requests, long denials, long seals, long suppressed) {}

    /** Checks {@code log}'s bytes, the seals with {@code key} if given. */
    static Result verify(byte[] log, Optional<VerifyingKey> key) {
        List<String> lines = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < log.length; i++) {
            if (log[i] == '\n') {
                byte[] line = java.util.Arrays.copyOfRange(log, start, i);
                raw.add(line);
                lines.add(new String(line, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        long requests = 0;
        long denials = 0;
        long seals = 0;
        long suppressed = 0;
        if (start < log.length) {
            return problem(lines.size() + 1, "truncated: the last line has no newline", lines.size(), 0, 0, 0, 0);
        }
        if (lines.isEmpty()) {
            return problem(1, "the log is empty: the run record is missing", 0, 0, 0, 0, 0);
        }
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            try {
                records.add(AuditJson.object(lines.get(i)));
            } catch (AuditJson.AuditFormatException e) {
                return problem(i + 1, "changed: not a record (" + e.getMessage() + ")", lines.size(), 0, 0, 0, 0);
            }
        }
        long lastSeal = -1;
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> r = records.get(i);
            int number = i + 1;
            Object seq = r.get("seq");
            if (!(seq instanceof Long s) || s != i) {
                return problem(number, misplaced(records, i, seq), lines.size(), requests, denials, seals, suppressed);
            }
            String expected = i == 0 ? AuditLog.NO_PREV : HexFormat.of().formatHex(AuditSeal.sha256(raw.get(i - 1)));
            if (!expected.equals(r.get("prev"))) {
                // Either the line before changed, or this line's own prev did: then this line's
                // hash is not the next line's prev either.
                boolean thisChanged = i + 1 < records.size()
                        && !HexFormat.of()
                                .formatHex(AuditSeal.sha256(raw.get(i)))
                                .equals(records.get(i + 1).get("prev"));
                return thisChanged
                        ? problem(
                                number,
                                "changed: its prev is not the hash of line " + i,
                                lines.size(),
                                requests,
                                denials,
                                seals,
                                suppressed)
                        : problem(
                                i,
                                "changed: its hash is not the prev of line " + number,
                                lines.size(),
                                requests,
                                denials,
                                seals,
                                suppressed);
            }
            Object type = r.get("type");
            if ((i == 0) != "run".equals(type)) {
                return problem(
                        number,
                        i == 0 ? "changed: the first record is not the run" : "changed: a second run record",
                        lines.size(),
                        requests,
                        denials,
                        seals,
                        suppressed);
            }
            if ("request".equals(type)) {
                requests++;
                if ("deny".equals(r.get("decision"))) {
                    denials++;
                }
            } else if ("suppressed".equals(type)) {
                suppressed++;
            } else if ("seal".equals(type)) {
                seals++;
                if (key.isPresent()) {
                    Optional<String> bad = checkSeal(lines.get(i), r, i - lastSeal - 1, key.get());
                    if (bad.isPresent()) {
                        return problem(number, bad.get(), lines.size(), requests, denials, seals, suppressed);
                    }
                }
                lastSeal = i;
            } else if (i != 0) {
                return problem(
                        number,
                        "changed: unknown record type " + type,
                        lines.size(),
                        requests,
                        denials,
                        seals,
                        suppressed);
            }
        }
        if (key.isPresent() && lastSeal != records.size() - 1) {
            return problem(
                    lastSeal + 2,
                    lastSeal < 0
                            ? "not sealed: the log has no seal (was the run given --audit-key?)"
                            : "appended after the last seal (line " + (lastSeal + 1) + ")",
                    lines.size(),
                    requests,
                    denials,
                    seals,
                    suppressed);
        }
        return new Result(Optional.empty(), lines.size(), requests, denials, seals, suppressed);
    }

    /** Why line {@code i} has the wrong seq: a record before it removed, or records reordered. */
    private static String misplaced(List<Map<String, Object>> records, int i, Object seq) {
        for (int j = i + 1; j < records.size(); j++) {
            if (Long.valueOf(i).equals(records.get(j).get("seq"))) {
                return "reordered: seq " + seq + " where " + i + " was expected (seq " + i + " is on line " + (j + 1)
                        + ")";
            }
        }
        return seq instanceof Long s && s > i
                ? "removed: seq " + s + " where " + i + " was expected (a record before it is missing)"
                : "changed: seq " + seq + " where " + i + " was expected";
    }

    private static Optional<String> checkSeal(String line, Map<String, Object> r, long records, VerifyingKey key) {
        if (!Long.valueOf(records).equals(r.get("records"))) {
            return Optional.of("changed: the seal counts " + r.get("records") + " records, " + records + " precede it");
        }
        if (!key.fingerprint().text().equals(r.get("keyFingerprint"))) {
            return Optional.of("sealed by " + r.get("keyFingerprint") + ", not by the given key " + key.fingerprint());
        }
        if (!(r.get("signature") instanceof String signature)) {
            return Optional.of("changed: the seal has no signature");
        }
        String member = ",\"signature\":\"" + signature + "\"";
        int at = line.indexOf(member);
        if (at < 0) {
            return Optional.of("changed: the seal's signature is not where it is written");
        }
        String unsigned = line.substring(0, at) + line.substring(at + member.length());
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return Optional.of("changed: the seal's signature is not base64");
        }
        if (!AuditSeal.verifies(key, unsigned.getBytes(StandardCharsets.UTF_8), bytes)) {
            return Optional.of("changed: the seal's signature does not verify with " + key);
        }
        return Optional.empty();
    }

    private static Result problem(
            long line, String why, long lines, long requests, long denials, long seals, long suppressed) {
        return new Result(Optional.of("line " + line + ": " + why), lines, requests, denials, seals, suppressed);
    }
}
