package dev.airlock.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The policy files the SecurityManager would have read, for a drop-in given no {@code policy=}:
 * so that a launch script only swaps {@code -Djava.security.manager} for the agent. As the JDK's
 * {@code sun.security.provider.PolicyFile} reads them (JDK 17):
 *
 * <ul>
 *   <li>{@code -Djava.security.policy=FILE} adds FILE to the defaults, and
 *       {@code -Djava.security.policy==FILE} (the property's value then starts with {@code =}) is
 *       FILE alone; both only when the security property {@code policy.allowSystemProperty} is
 *       {@code true} (the JDK's default), and FILE is a path or a {@code file:} URL, with
 *       {@code ${...}} expanded;
 *   <li>the defaults are the security properties {@code policy.url.1}, {@code policy.url.2}, ...
 *       up to the first missing number, from {@code ${java.home}/conf/security/java.security}
 *       (JDK 17: the JDK's {@code java.policy} and {@code ${user.home}/.java.policy}; JDK 24 and
 *       later have none), {@code ${...}} expanded.
 * </ul>
 *
 * <p>Where the JDK skipped a policy it could not read, a default that does not exist is skipped
 * here too; but FILE named by {@code java.security.policy} must exist, and a URL that is not
 * {@code file:} is refused: a sandbox must not start without the policy its operator named.
 */
final class SecurityPolicyFiles {
    private SecurityPolicyFiles() {}

    /**
     * The policy files, absolute. {@code policyProperty} is {@code java.security.policy} (null
     * if unset), {@code security} the security properties, {@code system} the system properties
     * (for {@code ${...}}), {@code workingDirectory} what a relative FILE is against, and
     * {@code exists} whether a path names a file.
     */
    static List<String> find(
            String policyProperty,
            Function<String, String> security,
            Function<String, String> system,
            Path workingDirectory,
            Predicate<Path> exists)
            throws DropInException {
        List<String> files = new ArrayList<>();
        if (policyProperty != null && "true".equalsIgnoreCase(trim(security.apply("policy.allowSystemProperty")))) {
            boolean alone = policyProperty.startsWith("=");
            String named = expand(alone ? policyProperty.substring(1) : policyProperty, system);
            // As the JDK: a file if there is one by that name, else a URL, of which only file: can be read.
            Path file = named.startsWith("file:") ? fromUrl(named) : workingDirectory.resolve(named);
            if (!exists.test(file) && !named.startsWith("file:") && named.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
                fromUrl(named);
            }
            if (!exists.test(file)) {
                throw new DropInException(
                        DropInException.USAGE,
                        "-Djava.security.policy=" + policyProperty + ": no such policy file " + file);
            }
            files.add(file.normalize().toString());
            if (alone) {
                return files;
            }
        }
        for (int n = 1; ; n++) {
            String url = security.apply("policy.url." + n);
            if (url == null) {
                break;
            }
            Path file = fromUrl(expand(url.trim(), system));
            if (exists.test(file)) {
                files.add(file.normalize().toString());
            }
        }
        return files;
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }

    private static Path fromUrl(String url) throws DropInException {
        try {
            URI uri = new URI(url);
            if (!"file".equalsIgnoreCase(uri.getScheme())
                    || uri.getPath() == null
                    || uri.getPath().isEmpty()) {
                throw new DropInException(
                        DropInException.USAGE, "policy " + url + ": only files (file: URLs) can be read");
            }
            return Path.of(uri.getPath());
        } catch (URISyntaxException e) {
            throw new DropInException(DropInException.USAGE, "policy " + url + ": not a URL: " + e.getMessage());
        }
    }

    /** {@code ${name}} by the system property, {@code ${/}} the file separator, as the JDK's PropertyExpander. */
    static String expand(String value, Function<String, String> system) throws DropInException {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start + 2);
            if (end < 0) {
                out.append(value, i, value.length());
                break;
            }
            out.append(value, i, start);
            String name = value.substring(start + 2, end);
            String replacement = name.equals("/") ? "/" : system.apply(name);
            if (replacement == null || name.isEmpty()) {
                throw new DropInException(
                        DropInException.USAGE, "policy " + value + ": property '" + name + "' is not set");
            }
            out.append(replacement);
            i = end + 1;
        }
        return out.toString();
    }
}
