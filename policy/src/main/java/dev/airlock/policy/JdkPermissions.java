package dev.airlock.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The permission classes of the JDK's {@code java.*} packages, so that a misspelt one in a policy
 * is an error instead of a grant that silently grants nothing.
 *
 * <p>Only the platform can define a class in a {@code java.*} package (any other class loader is
 * refused "Prohibited package name"), so a {@code java.*} name that is not in this list can never
 * be loaded: under the SecurityManager it became an {@code UnresolvedPermission} that never
 * resolved. Outside {@code java.*} a name may be a third-party class Airlock cannot see, so it is
 * listed as not enforced, never refused.
 *
 * <p>The list is fixed (the policy module loads nothing) and is the same for JDK 17 and JDK 25,
 * which have the same {@code Permission} subclasses in {@code java.*}; {@code JdkPermissionsTest}
 * enumerates every class of the {@code java.*} packages of both JDKs through their {@code jrt:}
 * file systems and fails when the list drifts.
 */
final class JdkPermissions {

    /**
     * The public concrete {@code Permission} subclasses in {@code java.*} with a constructor a policy
     * entry can call ({@code ()}, {@code (String)} or {@code (String, String)}), sorted.
     */
    static final List<String> GRANTABLE = List.of(
            "java.awt.AWTPermission",
            "java.io.FilePermission",
            "java.io.SerializablePermission",
            "java.lang.RuntimePermission",
            "java.lang.management.ManagementPermission",
            "java.lang.reflect.ReflectPermission",
            "java.net.NetPermission",
            "java.net.SocketPermission",
            "java.net.URLPermission",
            "java.nio.file.LinkPermission",
            "java.security.AllPermission",
            "java.security.SecurityPermission",
            "java.sql.SQLPermission",
            "java.util.PropertyPermission",
            "java.util.logging.LoggingPermission");

    /**
     * The other {@code Permission} classes in {@code java.*}: abstract, or without a constructor a
     * policy entry can call, so the JDK's policy file reports an error for them and grants nothing.
     */
    static final List<String> NOT_GRANTABLE =
            List.of("java.security.BasicPermission", "java.security.Permission", "java.security.UnresolvedPermission");

    private static final Set<String> GRANTABLE_SET = Set.copyOf(GRANTABLE);
    private static final Set<String> NOT_GRANTABLE_SET = Set.copyOf(NOT_GRANTABLE);

    private JdkPermissions() {}

    /** True for a name in a {@code java.*} package, where only the JDK's own classes can exist. */
    static boolean isPlatformName(String type) {
        return type.startsWith("java.");
    }

    /** True for a JDK permission class a policy can grant. */
    static boolean isGrantable(String type) {
        return GRANTABLE_SET.contains(type);
    }

    /**
     * Why a {@code java.*} permission type cannot be granted, or null when it can (or is not a
     * {@code java.*} name).
     */
    static String whyNot(String type) {
        if (!isPlatformName(type) || isGrantable(type)) {
            return null;
        }
        if (NOT_GRANTABLE_SET.contains(type)) {
            return "expected a permission class a policy can grant, found " + type
                    + ": the JDK cannot construct it from a policy entry";
        }
        String near = nearest(type);
        return "expected a permission class the JDK has, found " + type
                + (near == null ? "" : " (did you mean " + near + "?)")
                + ": only the JDK can define classes in java.* packages, so this entry would grant nothing";
    }

    /**
     * The grantable class whose name is the same ignoring case, or whose simple name or whole name
     * is within two edits, or null.
     */
    static String nearest(String type) {
        String best = null;
        int bestDistance = 3;
        for (String known : GRANTABLE) {
            if (known.equalsIgnoreCase(type)) {
                return known;
            }
            int d = Math.min(
                    distance(known.toLowerCase(Locale.ROOT), type.toLowerCase(Locale.ROOT)),
                    distance(simpleName(known), simpleName(type)));
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best;
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    }

    /** Levenshtein distance, for names of a few dozen characters. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
