package dev.airlock.policy;

import java.util.List;
import java.util.Map;

/**
 * What a policy file says, entry by entry, after property expansion: the parser's output and the
 * compiler's input. Everything the JDK keeps is kept (keystore, domains, codeBase, signers,
 * principals, permission-level signers), so that a later, agent-side layer can use the parts the
 * broker cannot.
 */
final class PolicyModel {

    /** One parsed policy file. */
    record File(
            String displayName,
            List<Grant> grants,
            Keystore keystore,
            Position keystorePasswordUrlPosition,
            String keystorePasswordUrl,
            List<Domain> domains,
            List<PolicyWarning> parseWarnings) {}

    /** A position in a file. */
    record Position(int line, int column) {}

    /** {@code keystore "url", "type", "provider";} with the URL as written (the JDK expands it late). */
    record Keystore(Position position, String url, String type, String provider) {}

    /** A {@code domain} entry (DomainKeyStore configuration; no effect on permissions). */
    record Domain(Position position, String name, Map<String, String> properties, List<DomainKeystore> keystores) {}

    /** A {@code keystore} inside a {@code domain} entry. */
    record DomainKeystore(String name, Map<String, String> properties) {}

    /** How a principal was written. */
    enum PrincipalKind {
        /** {@code principal com.example.P "name"}. */
        CLASS_AND_NAME,
        /** {@code principal com.example.P *}. */
        CLASS_ANY_NAME,
        /** {@code principal * *}. */
        ANY,
        /** {@code principal "alias"}: a keystore alias the JDK replaces by its certificate's X.500 name. */
        KEYSTORE_ALIAS
    }

    /** A principal of a grant; {@code className} and {@code name} are null where a wildcard stood. */
    record Principal(PrincipalKind kind, String className, String name) {}

    /**
     * A grant entry.
     *
     * @param ignoredBecause null when the JDK uses the entry; otherwise why the JDK drops it (a
     *     property in its codeBase, signedBy or a principal could not be expanded)
     */
    record Grant(
            String file,
            Position position,
            String codeBase,
            String signedBy,
            List<Principal> principals,
            List<Permission> permissions,
            String ignoredBecause) {

        /** No codeBase, no signedBy, no principal: the grant applies to all code. */
        boolean unrestricted() {
            return codeBase == null && signedBy == null && principals.isEmpty();
        }
    }

    /**
     * A permission entry. When a property in it could not be expanded the JDK skips the whole entry;
     * it is kept here with {@code type} set and the rest possibly missing, and
     * {@code ignoredBecause} saying why.
     */
    record Permission(
            String file,
            Position position,
            String type,
            String name,
            String actions,
            String signedBy,
            String ignoredBecause) {

        /** The {@code FILE:LINE} that decisions name. */
        String rule() {
            return file + ":" + position.line();
        }
    }

    private PolicyModel() {}
}
