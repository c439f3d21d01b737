package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.airlock.policy.PolicyModel.Grant;
import dev.airlock.policy.PolicyModel.Permission;
import dev.airlock.policy.PolicyModel.Principal;
import java.io.StringReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Airlock's parser against JDK 17's own {@code sun.security.provider.PolicyParser} (with property
 * expansion on, as {@code PolicyFile} uses it), on valid and damaged policies generated from fixed
 * seeds: the same texts must be accepted, and accepted texts must yield the same grants,
 * principals, permissions and keystore entries.
 *
 * <p>Documented differences are allowed: Airlock rejects strings that reach the end of a line and
 * comments that reach the end of the file, which the JDK's tokenizer ends silently. Everything the
 * JDK rejects, including texts it rejects with an unchecked exception (such as {@code ${}} or a
 * malformed X.500 name), Airlock must reject too.
 *
 * <p>JDK 24 removed grant parsing from that class, so this test needs the JDK 17 the project
 * builds with; on another JDK it fails and says so.
 */
class PolicyParserDifferentialTest {

    private static final long[] SEEDS = {1, 2, 3, 17, 2024, 777, 31337, 8, 90210, 5};

    @Test
    void acceptsAndReadsWhatTheJdkParserDoes() throws Exception {
        Class<?> jdkParser = jdkParserClass();
        int compared = 0;
        int accepted = 0;
        for (long seed : SEEDS) {
            Random r = new Random(seed);
            PolicyTextGenerator gen = new PolicyTextGenerator(r);
            for (int i = 0; i < 600; i++) {
                List<String> tokens = gen.tokens();
                if (r.nextInt(3) == 0) {
                    tokens = gen.mutate(tokens);
                }
                String text = gen.join(tokens);
                if (compare(jdkParser, seed, text)) {
                    accepted++;
                }
                compared++;
            }
        }
        System.out.println(
                "parser differential: " + compared + " texts, " + accepted + " accepted by both, 0 disagreements");
        assertTrue(accepted > compared / 3 && accepted < compared, "accepted " + accepted);
    }

    private static Class<?> jdkParserClass() {
        assertTrue(
                Runtime.version().feature() < 24,
                "the JDK's grant parser was removed in JDK 24;" + " run the policy tests on the project's JDK 17");
        try {
            return Class.forName("sun.security.provider.PolicyParser");
        } catch (ClassNotFoundException e) {
            throw new AssertionError("JDK 17's sun.security.provider.PolicyParser is missing", e);
        }
    }

    /** Returns whether both accepted. */
    private static boolean compare(Class<?> jdkParser, long seed, String text) throws Exception {
        Object jdk = null;
        Throwable jdkError = null;
        try {
            Constructor<?> c = jdkParser.getConstructor(boolean.class);
            jdk = c.newInstance(true);
            jdkParser.getMethod("read", java.io.Reader.class).invoke(jdk, new StringReader(text));
        } catch (java.lang.reflect.InvocationTargetException e) {
            jdkError = e.getCause();
            jdk = null;
        }
        PolicyModel.File ours = null;
        PolicySyntaxException ourError = null;
        try {
            ours = PolicyParser.parse("t.policy", text, System::getProperty);
        } catch (PolicySyntaxException e) {
            ourError = e;
        } catch (RuntimeException e) {
            fail("seed " + seed + ": Airlock threw " + e + " for\n" + text);
        }
        if (ourError != null && jdk != null) {
            String m = ourError.bareMessage();
            if (m.startsWith("unterminated string") || m.startsWith("unterminated comment")) {
                return false;
            }
            fail("seed " + seed + ": Airlock rejects what the JDK accepts: " + ourError.getMessage() + "\n" + text);
        }
        if (ourError == null && jdk == null) {
            fail("seed " + seed + ": Airlock accepts what the JDK rejects (" + jdkError + ")\n" + text);
        }
        if (jdk == null) {
            return false;
        }
        assertEquals(
                describeJdk(jdkParser, jdk), describeOurs(ours), "seed " + seed + ": different reading of\n" + text);
        return true;
    }

    private static String describeOurs(PolicyModel.File f) {
        StringBuilder sb = new StringBuilder();
        for (Grant g : f.grants()) {
            if (g.ignoredBecause() != null) {
                continue;
            }
            sb.append("grant codeBase=")
                    .append(g.codeBase())
                    .append(" signedBy=")
                    .append(g.signedBy());
            for (Principal p : g.principals()) {
                String cls = switch (p.kind()) {
                    case KEYSTORE_ALIAS -> "PolicyParser.REPLACE_NAME";
                    case ANY -> "WILDCARD_PRINCIPAL_CLASS";
                    default -> p.className();
                };
                String name = p.name() == null ? "WILDCARD_PRINCIPAL_NAME" : p.name();
                sb.append(" principal ").append(cls).append('/').append(name);
            }
            sb.append('\n');
            for (Permission p : g.permissions()) {
                if (p.ignoredBecause() != null) {
                    continue;
                }
                sb.append("  ")
                        .append(p.type())
                        .append(" name=")
                        .append(p.name())
                        .append(" action=")
                        .append(p.actions())
                        .append(" signedBy=")
                        .append(p.signedBy())
                        .append('\n');
            }
        }
        if (f.keystore() != null) {
            sb.append("keystore type=")
                    .append(f.keystore().type())
                    .append(" provider=")
                    .append(f.keystore().provider())
                    .append('\n');
        }
        sb.append("passwordURL=").append(f.keystorePasswordUrl() != null).append('\n');
        sb.append("domains=").append(f.domains().size()).append('\n');
        return sb.toString();
    }

    private static String describeJdk(Class<?> c, Object parser) throws Exception {
        StringBuilder sb = new StringBuilder();
        Enumeration<?> grants = (Enumeration<?>) c.getMethod("grantElements").invoke(parser);
        while (grants.hasMoreElements()) {
            Object g = grants.nextElement();
            Class<?> gc = g.getClass();
            sb.append("grant codeBase=")
                    .append(gc.getField("codeBase").get(g))
                    .append(" signedBy=")
                    .append(gc.getField("signedBy").get(g));
            for (Object p : (Collection<?>) gc.getField("principals").get(g)) {
                Method cls = p.getClass().getMethod("getPrincipalClass");
                Method name = p.getClass().getMethod("getPrincipalName");
                sb.append(" principal ").append(cls.invoke(p)).append('/').append(name.invoke(p));
            }
            sb.append('\n');
            for (Object p : (Collection<?>) gc.getField("permissionEntries").get(g)) {
                Class<?> pc = p.getClass();
                sb.append("  ")
                        .append(pc.getField("permission").get(p))
                        .append(" name=")
                        .append(pc.getField("name").get(p))
                        .append(" action=")
                        .append(pc.getField("action").get(p))
                        .append(" signedBy=")
                        .append(pc.getField("signedBy").get(p))
                        .append('\n');
            }
        }
        Object url = c.getMethod("getKeyStoreUrl").invoke(parser);
        Object type = c.getMethod("getKeyStoreType").invoke(parser);
        Object provider = c.getMethod("getKeyStoreProvider").invoke(parser);
        if (url != null || type != null) {
            sb.append("keystore type=")
                    .append(type)
                    .append(" provider=")
                    .append(provider)
                    .append('\n');
        }
        sb.append("passwordURL=")
                .append(c.getMethod("getStorePassURL").invoke(parser) != null)
                .append('\n');
        int domains;
        try {
            domains = ((Collection<?>) c.getMethod("getDomainEntries").invoke(parser)).size();
        } catch (java.lang.reflect.InvocationTargetException e) {
            domains = 0; // the JDK's getter fails when there are none
        }
        sb.append("domains=").append(domains).append('\n');
        return sb.toString();
    }

    @Test
    void theGeneratorCoversTheGrammar() {
        // The comparison above is only as good as what it compares: make sure the generated texts
        // contain each construct.
        List<String> all = new ArrayList<>();
        Random r = new Random(1);
        PolicyTextGenerator gen = new PolicyTextGenerator(r);
        for (int i = 0; i < 600; i++) {
            all.add(gen.join(gen.tokens()));
        }
        String joined = String.join("\n", all).toLowerCase(java.util.Locale.ROOT);
        for (String construct : new String[] {
            "domain",
            "keystorepasswordurl",
            "keystore",
            "codebase",
            "signedby",
            "principal *",
            "x500principal",
            "${airlock.undefined}",
            "${}",
            "/*",
            "//",
            "\\\"",
            "${{self}}"
        }) {
            assertTrue(joined.contains(construct), construct);
        }
    }
}
