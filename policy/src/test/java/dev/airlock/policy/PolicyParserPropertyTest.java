package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random, damaged and truncated inputs, from fixed seeds: the parser and compiler must either
 * accept them or throw a {@link PolicySyntaxException} whose position lies inside the text (or
 * just after its end), never another exception, never a hang.
 */
class PolicyParserPropertyTest {

    private static final Function<String, String> PROPERTIES =
            Map.of("user.home", "/home/u", "java.home", "/opt/jdk", "user.dir", "/work")::get;

    private static final String VALID = """
      /* A realistic policy. */
      keystore "file:${user.home}/.keystore", "JKS";
      grant codeBase "file:${java.home}/lib/ext/*" {
        permission java.security.AllPermission;
      };
      grant principal javax.security.auth.x500.X500Principal "cn=Duke" {
        permission java.io.FilePermission "${user.home}${/}-", "read, write";
      };
      grant {
        // files
        permission java.io.FilePermission "/srv/data/-", "read";
        permission java.io.FilePermission "<<ALL FILES>>", "execute";
        permission java.net.SocketPermission "*.example.com:443", "connect";
        permission java.net.SocketPermission "[::1]:1024-", "listen,accept";
        permission java.util.PropertyPermission "user.*", "read", signedBy "duke";
        permission p.P "a\\"b\\\\c\\101", ;
      };
      """;

    @Test
    void everyTruncationIsAcceptedOrAnErrorWithAPosition() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            List<String> texts = new ArrayList<>();
            texts.add(VALID);
            texts.add(VALID.replace("\n", "\r\n"));
            Random r = new Random(11);
            PolicyTextGenerator gen = new PolicyTextGenerator(r);
            for (int i = 0; i < 20; i++) {
                texts.add(gen.join(gen.tokens()));
            }
            int cases = 0;
            for (String text : texts) {
                for (int end = 0; end <= text.length(); end++) {
                    check(text.substring(0, end));
                    cases++;
                }
            }
            assertTrue(cases > 2000, "cases " + cases);
        });
    }

    @Test
    void randomTextIsAcceptedOrAnErrorWithAPosition() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            String alphabet = "grantpermissioncodeBasesignedByprincipalkeystore{};,*=\"'\\/ \n\r\t"
                    + "-:.$0123456789é\u0085\u00a0\uD83D\uDE00\uD800\u0000${}";
            Random r = new Random(12);
            for (int i = 0; i < 5000; i++) {
                int len = r.nextInt(200);
                StringBuilder sb = new StringBuilder(len);
                for (int k = 0; k < len; k++) {
                    sb.append(
                            r.nextInt(20) == 0
                                    ? (char) r.nextInt(0x10000)
                                    : alphabet.charAt(r.nextInt(alphabet.length())));
                }
                check(sb.toString());
            }
        });
    }

    @Test
    void damagedPoliciesAreAcceptedOrAnErrorWithAPosition() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Random r = new Random(13);
            PolicyTextGenerator gen = new PolicyTextGenerator(r);
            int errors = 0;
            for (int i = 0; i < 5000; i++) {
                List<String> tokens = gen.tokens();
                for (int m = r.nextInt(3); m >= 0; m--) {
                    tokens = gen.mutate(tokens);
                }
                if (!check(gen.join(tokens))) {
                    errors++;
                }
            }
            assertTrue(errors > 1000, "the damage must mostly be detected, errors " + errors);
        });
    }

    @Test
    void hugeInputsDoNotBlowUp() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            check("grant {".repeat(20_000));
            check("/*".repeat(50_000));
            check("\"".repeat(50_000));
            check("grant { permission p.P \"" + "${".repeat(50_000) + "\"; };");
            check("grant { permission p.P \"" + "${{".repeat(50_000) + "\"; };");
            StringBuilder many = new StringBuilder("grant {\n");
            for (int i = 0; i < 20_000; i++) {
                many.append("permission java.io.FilePermission \"/d")
                        .append(i % 500)
                        .append("/f")
                        .append(i)
                        .append("\", \"read\";\n");
            }
            many.append("};");
            check(many.toString());
        });
    }

    /** Returns true when the text was accepted. */
    private static boolean check(String text) {
        try {
            Policy.parse("fuzz.policy", text, PROPERTIES);
            return true;
        } catch (PolicySyntaxException e) {
            String[] lines = text.split("\r\n|\r|\n", -1);
            int line = e.line();
            if (line < 1 || line > lines.length) {
                fail("line " + line + " outside 1.." + lines.length + ": " + e.getMessage());
            }
            String l = lines[line - 1];
            int maxColumn = l.codePointCount(0, l.length()) + 1;
            if (e.column() < 1 || e.column() > maxColumn) {
                fail("column " + e.column() + " outside 1.." + maxColumn + ": " + e.getMessage());
            }
            if (!e.getMessage().equals("fuzz.policy:" + line + ":" + e.column() + ": " + e.bareMessage())
                    || !e.bareMessage().contains("expected")) {
                fail("malformed message: " + e.getMessage());
            }
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("not a syntax error for input " + quote(text), e);
        }
    }

    private static String quote(String s) {
        return "\"" + PolicyLexer.shorten(s) + "\" (length " + s.length() + ")";
    }
}
