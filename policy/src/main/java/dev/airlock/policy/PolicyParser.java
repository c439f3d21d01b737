package dev.airlock.policy;

import dev.airlock.policy.PolicyModel.Domain;
import dev.airlock.policy.PolicyModel.DomainKeystore;
import dev.airlock.policy.PolicyModel.Grant;
import dev.airlock.policy.PolicyModel.Keystore;
import dev.airlock.policy.PolicyModel.Permission;
import dev.airlock.policy.PolicyModel.Position;
import dev.airlock.policy.PolicyModel.Principal;
import dev.airlock.policy.PolicyModel.PrincipalKind;
import dev.airlock.policy.PropertyExpansion.EmptyPropertyNameException;
import dev.airlock.policy.PropertyExpansion.UndefinedPropertyException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;

/**
 * The java.policy grammar, as JDK 17's {@code sun.security.provider.PolicyParser} accepts it.
 *
 * <pre>
 * file       = { entry } ;
 * entry      = grant | keystore | keystorePasswordURL | domain | (nothing) , ";" ;
 * grant      = "grant" { ("codeBase" STRING | "signedBy" STRING | principal) [","] }
 *              "{" { permission ";" } "}" ;
 * principal  = "principal" ( STRING | (WORD | "*") (STRING | "*") ) ;
 * permission = "permission" (WORD | STRING) [STRING] [ "," [STRING [","]] ["signedBy" STRING] ] ;
 * keystore   = "keystore" STRING [ "," STRING [ "," STRING ] ] ;
 * keystorePasswordURL = "keystorePasswordURL" STRING ;
 * domain     = "domain" WORD { WORD "=" STRING } "{" { "keystore" WORD { WORD "=" STRING } ";" } "}" ;
 * </pre>
 *
 * Keywords match ignoring case ({@code String.equalsIgnoreCase}, so the JDK's Unicode case rules
 * apply). The JDK's less obvious rules, all kept:
 *
 * <ul>
 *   <li>An empty entry ({@code ;}) is allowed between entries, and a trailing comma is allowed
 *       after a permission's target or actions ({@code permission p.P "x",;}).
 *   <li>Only one {@code keystore} and one {@code keystorePasswordURL} entry per file; a second one
 *       is an error (the JDK's comment says "ignored", its code rejects it). A
 *       {@code keystorePasswordURL} needs a {@code keystore}.
 *   <li>A {@code domain} entry (DomainKeyStore configuration) is only allowed before any keystore
 *       entry and when the most recent grant entry, if any, was dropped.
 *   <li>Property expansion happens as each string is read. When a property in a permission entry
 *       is not set, the JDK skips the rest of that entry up to the next {@code ;} without
 *       checking it, even across a {@code }}, and ignores the permission. When a property in a
 *       principal name, the codeBase or the grant's signedBy is not set, the JDK ignores the whole
 *       grant. Both are reported as warnings, never as errors, because the JDK accepts the file.
 *   <li>Principal names of class {@code javax.security.auth.x500.X500Principal} are converted to
 *       their canonical RFC 2253 form; a name that is not a distinguished name is an error (the JDK
 *       throws and ignores the whole file).
 * </ul>
 * The JDK also percent-encodes property values expanded into a {@code codeBase} URL; Airlock keeps
 * the codeBase only in the model (the broker cannot use it), with properties expanded but not
 * encoded.
 *
 * Where the JDK would silently ignore a whole policy file because of an unchecked exception
 * ({@code ${}} with an empty name, a malformed X.500 name) this parser reports an error: an
 * ignored policy grants nothing, so refusing to start is the same outcome, only visible.
 */
final class PolicyParser {

    private static final String X500 = "javax.security.auth.x500.X500Principal";

    private final PolicyLexer lexer;
    private final String file;
    private final Function<String, String> properties;
    private final List<PolicyWarning> warnings = new ArrayList<>();

    private PolicyParser(String file, String text, Function<String, String> properties) {
        this.file = file;
        this.lexer = new PolicyLexer(file, text);
        this.properties = properties;
    }

    /** Parses one policy file's text. */
    static PolicyModel.File parse(String displayName, String text, Function<String, String> properties)
            throws PolicySyntaxException {
        return new PolicyParser(displayName, text, properties).file();
    }

    private PolicyModel.File file() throws PolicySyntaxException {
        List<Grant> grants = new ArrayList<>();
        List<Domain> domains = new ArrayList<>();
        Keystore keystore = null;
        String passwordUrl = null;
        Position passwordUrlPosition = null;
        boolean lastGrantKept = false;
        lexer.next();
        while (lexer.kind != PolicyLexer.EOF) {
            String after;
            if (isWord("grant")) {
                Grant g = grant();
                grants.add(g);
                lastGrantKept = g.ignoredBecause() == null;
                after = "grant entry";
            } else if (isWord("keystore")) {
                if (keystore != null) {
                    throw lexer.error("expected at most one 'keystore' entry per file, found a second one");
                }
                keystore = keystore();
                after = "keystore entry";
            } else if (isWord("keystorePasswordURL")) {
                if (passwordUrl != null) {
                    throw lexer.error("expected at most one 'keystorePasswordURL' entry per file, found a second one");
                }
                passwordUrlPosition = here();
                lexer.next();
                passwordUrl = expectString("a quoted URL after 'keystorePasswordURL'");
                after = "keystorePasswordURL entry";
            } else if (isWord("domain")) {
                if (lastGrantKept || keystore != null || passwordUrl != null) {
                    throw lexer.error("expected 'grant', 'keystore' or 'keystorePasswordURL', found 'domain'"
                            + " (a domain entry must come before grant and keystore entries)");
                }
                Domain d = domain();
                for (Domain other : domains) {
                    if (other.name().equals(d.name())) {
                        throw new PolicySyntaxException(
                                file,
                                d.position().line(),
                                d.position().column(),
                                "expected a unique domain name, found a second domain '" + d.name() + "'");
                    }
                }
                domains.add(d);
                warn(d.position(), "domain entries configure a DomainKeyStore; they grant nothing");
                after = "domain entry";
            } else if (isChar(';')) {
                lexer.next();
                continue;
            } else {
                throw lexer.error("expected 'grant', 'keystore' or 'keystorePasswordURL', found "
                        + (lexer.kind == PolicyLexer.WORD ? "unknown keyword " : "") + lexer.describe());
            }
            expectChar(';', "';' after " + after);
        }
        if (passwordUrl != null && keystore == null) {
            throw new PolicySyntaxException(
                    file,
                    passwordUrlPosition.line(),
                    passwordUrlPosition.column(),
                    "expected a 'keystore' entry in a file with 'keystorePasswordURL', found none");
        }
        return new PolicyModel.File(
                file,
                List.copyOf(grants),
                keystore,
                passwordUrlPosition,
                passwordUrl,
                List.copyOf(domains),
                List.copyOf(warnings));
    }

    private Grant grant() throws PolicySyntaxException {
        Position position = here();
        lexer.next();
        String codeBase = null;
        String signedBy = null;
        Position codeBasePosition = null;
        Position signedByPosition = null;
        List<Principal> principals = new ArrayList<>();
        String ignored = null;
        while (!isChar('{')) {
            if (isWord("codeBase")) {
                if (codeBase != null) {
                    throw lexer.error("expected at most one 'codeBase' in a grant entry, found a second one");
                }
                lexer.next();
                codeBasePosition = here();
                codeBase = expectString("a quoted URL after 'codeBase'");
            } else if (isWord("signedBy")) {
                if (signedBy != null) {
                    throw lexer.error("expected at most one 'signedBy' in a grant entry, found a second one");
                }
                lexer.next();
                signedByPosition = here();
                signedBy = expectString("a quoted list of keystore aliases after 'signedBy'");
                checkAliases(signedBy, signedByPosition);
            } else if (isWord("principal")) {
                lexer.next();
                String reason = principal(principals);
                if (reason != null && ignored == null) {
                    ignored = reason;
                }
            } else {
                throw lexer.error("expected 'codeBase', 'signedBy', 'principal' or '{', found "
                        + (lexer.kind == PolicyLexer.WORD ? "unknown keyword " : "") + lexer.describe());
            }
            if (isChar(',')) {
                lexer.next();
            }
        }
        lexer.next();
        List<Permission> permissions = new ArrayList<>();
        while (!isChar('}')) {
            if (isWord("permission")) {
                permissions.add(permission());
                expectChar(';', "';' after permission entry");
            } else {
                throw lexer.error("expected 'permission' or '}', found "
                        + (lexer.kind == PolicyLexer.WORD ? "unknown keyword " : "") + lexer.describe());
            }
        }
        lexer.next();
        // The JDK expands the signer list and the codeBase only once the entry is complete.
        if (signedBy != null) {
            try {
                signedBy = expand(signedBy, signedByPosition);
            } catch (UndefinedPropertyException e) {
                if (ignored == null) {
                    ignored = "signedBy: " + e.getMessage();
                }
            }
        }
        if (codeBase != null) {
            try {
                codeBase = expand(codeBase, codeBasePosition);
            } catch (UndefinedPropertyException e) {
                if (ignored == null) {
                    ignored = "codeBase: " + e.getMessage();
                }
            }
        }
        if (ignored != null) {
            warn(position, "grant entry ignored, as the JDK ignores it: " + ignored);
        }
        return new Grant(
                file, position, codeBase, signedBy, List.copyOf(principals), List.copyOf(permissions), ignored);
    }

    private void checkAliases(String aliases, Position at) throws PolicySyntaxException {
        // The JDK counts non-blank aliases and commas; there must be more aliases than commas.
        int names = 0;
        int commas = 0;
        int start = 0;
        for (int i = 0; i <= aliases.length(); i++) {
            if (i == aliases.length() || aliases.charAt(i) == ',') {
                if (!aliases.substring(start, i).trim().isEmpty()) {
                    names++;
                }
                if (i < aliases.length()) {
                    commas++;
                }
                start = i + 1;
            }
        }
        if (names <= commas) {
            throw new PolicySyntaxException(
                    file,
                    at.line(),
                    at.column(),
                    "expected a non-empty alias around every ',' in signedBy, found \"" + PolicyLexer.shorten(aliases)
                            + "\"");
        }
    }

    /** Parses a principal after the keyword; returns why the grant is ignored, or null. */
    private String principal(List<Principal> principals) throws PolicySyntaxException {
        Position namePosition;
        PrincipalKind kind;
        String className = null;
        String name = null;
        if (lexer.kind == PolicyLexer.STRING) {
            namePosition = here();
            kind = PrincipalKind.KEYSTORE_ALIAS;
            name = lexer.value;
            lexer.next();
        } else {
            boolean anyClass = false;
            if (isChar('*')) {
                anyClass = true;
                lexer.next();
            } else if (lexer.kind == PolicyLexer.WORD) {
                className = lexer.value;
                lexer.next();
            } else {
                throw lexer.error("expected a principal class, '*' or a quoted keystore alias after"
                        + " 'principal', found " + lexer.describe());
            }
            namePosition = here();
            boolean anyName = false;
            if (isChar('*')) {
                anyName = true;
                lexer.next();
            } else if (lexer.kind == PolicyLexer.STRING) {
                name = lexer.value;
                lexer.next();
            } else {
                throw lexer.error("expected a quoted principal name or '*' after the principal class," + " found "
                        + lexer.describe());
            }
            if (anyClass && !anyName) {
                throw new PolicySyntaxException(
                        file,
                        namePosition.line(),
                        namePosition.column(),
                        "expected '*' as the principal name after the principal class '*', found string \""
                                + PolicyLexer.shorten(name) + "\"");
            }
            kind = anyClass ? PrincipalKind.ANY : anyName ? PrincipalKind.CLASS_ANY_NAME : PrincipalKind.CLASS_AND_NAME;
        }
        if (name != null) {
            try {
                name = expand(name, namePosition);
            } catch (UndefinedPropertyException e) {
                principals.add(new Principal(kind, className, name));
                return "principal name: " + e.getMessage();
            }
            if (X500.equals(className)) {
                try {
                    name = new X500Principal(new X500Principal(name).toString()).getName();
                } catch (IllegalArgumentException e) {
                    throw new PolicySyntaxException(
                            file,
                            namePosition.line(),
                            namePosition.column(),
                            "expected an X.500 distinguished name for " + X500 + ", found \""
                                    + PolicyLexer.shorten(name) + "\" (" + e.getMessage() + ")");
                }
            }
        }
        principals.add(new Principal(kind, className, name));
        return null;
    }

    private Permission permission() throws PolicySyntaxException {
        Position position = here();
        lexer.next();
        String type;
        if (lexer.kind == PolicyLexer.WORD || lexer.kind == PolicyLexer.STRING) {
            type = lexer.value;
            lexer.next();
        } else {
            throw lexer.error("expected a permission class name after 'permission', found " + lexer.describe());
        }
        String name = null;
        String actions = null;
        String signedBy = null;
        try {
            if (lexer.kind == PolicyLexer.STRING) {
                Position p = here();
                String raw = lexer.value;
                lexer.next();
                name = expand(raw, p);
                if (lexer.kind == PolicyLexer.STRING) {
                    throw lexer.error("expected ',' between target and actions, found " + lexer.describe());
                }
            }
            if (!isChar(',')) {
                return new Permission(file, position, type, name, null, null, null);
            }
            lexer.next();
            if (lexer.kind == PolicyLexer.STRING) {
                Position p = here();
                String raw = lexer.value;
                lexer.next();
                actions = expand(raw, p);
                if (!isChar(',')) {
                    return new Permission(file, position, type, name, actions, null, null);
                }
                lexer.next();
            }
            if (isWord("signedBy")) {
                lexer.next();
                Position p = here();
                String raw = expectString("a quoted keystore alias after 'signedBy'");
                signedBy = expand(raw, p);
            }
            return new Permission(file, position, type, name, actions, signedBy, null);
        } catch (UndefinedPropertyException e) {
            // As the JDK: drop the permission and skip, unchecked, to the next ';'.
            while (!isChar(';')) {
                if (lexer.kind == PolicyLexer.EOF) {
                    throw lexer.error("expected ';' after permission entry, found end of file");
                }
                lexer.next();
            }
            String why = "permission ignored, as the JDK ignores it: " + e.getMessage();
            warn(position, why);
            return new Permission(file, position, type, name, actions, signedBy, e.getMessage());
        }
    }

    private Keystore keystore() throws PolicySyntaxException {
        Position position = here();
        lexer.next();
        String url = expectString("a quoted keystore URL after 'keystore'");
        String type = null;
        String provider = null;
        if (isChar(',')) {
            lexer.next();
            type = expectString("a quoted keystore type after ','");
            if (isChar(',')) {
                lexer.next();
                provider = expectString("a quoted keystore provider after ','");
            }
        }
        return new Keystore(position, url, type, provider);
    }

    private Domain domain() throws PolicySyntaxException {
        Position position = here();
        lexer.next();
        String name = expectWord("a domain name after 'domain'");
        Map<String, String> properties = new LinkedHashMap<>();
        while (!isChar('{')) {
            property(properties, "'{'");
        }
        lexer.next();
        List<DomainKeystore> keystores = new ArrayList<>();
        while (!isChar('}')) {
            if (!isWord("keystore")) {
                throw lexer.error("expected 'keystore' or '}' in domain entry, found " + lexer.describe());
            }
            lexer.next();
            Position keystorePosition = here();
            String keystoreName = expectWord("a keystore name after 'keystore'");
            Map<String, String> keystoreProperties = new LinkedHashMap<>();
            if (!isChar('}')) {
                while (!isChar(';')) {
                    property(keystoreProperties, "';'");
                }
            }
            expectChar(';', "';' after keystore entry");
            for (DomainKeystore k : keystores) {
                if (k.name().equals(keystoreName)) {
                    throw new PolicySyntaxException(
                            file,
                            keystorePosition.line(),
                            keystorePosition.column(),
                            "expected a unique keystore name in domain '" + name + "', found a second keystore '"
                                    + keystoreName + "'");
                }
            }
            keystores.add(new DomainKeystore(keystoreName, Map.copyOf(keystoreProperties)));
        }
        lexer.next();
        return new Domain(position, name, Map.copyOf(properties), List.copyOf(keystores));
    }

    private void property(Map<String, String> into, String terminator) throws PolicySyntaxException {
        if (lexer.kind != PolicyLexer.WORD) {
            throw lexer.error("expected a property name or " + terminator + ", found " + lexer.describe());
        }
        String key = lexer.value;
        lexer.next();
        expectChar('=', "'=' after property name '" + PolicyLexer.shorten(key) + "'");
        Position p = here();
        String raw = expectString("a quoted property value after '='");
        try {
            into.put(key.toLowerCase(Locale.ENGLISH), expand(raw, p));
        } catch (UndefinedPropertyException e) {
            // The JDK fails the whole file here (an IOException, not a parse error).
            throw new PolicySyntaxException(
                    file,
                    p.line(),
                    p.column(),
                    "expected a set system property in a domain property value, found " + e.getMessage());
        }
    }

    private String expand(String raw, Position at) throws UndefinedPropertyException, PolicySyntaxException {
        try {
            return PropertyExpansion.expand(raw, properties);
        } catch (EmptyPropertyNameException e) {
            throw new PolicySyntaxException(
                    file, at.line(), at.column(), "expected a property name in '${}', found an empty one");
        }
    }

    private boolean isWord(String keyword) {
        return lexer.kind == PolicyLexer.WORD && keyword.equalsIgnoreCase(lexer.value);
    }

    private boolean isChar(char c) {
        return lexer.kind == PolicyLexer.CHAR && lexer.ch == c;
    }

    private void expectChar(char c, String expected) throws PolicySyntaxException {
        if (!isChar(c)) {
            throw lexer.error("expected " + expected + ", found " + lexer.describe());
        }
        lexer.next();
    }

    private String expectString(String expected) throws PolicySyntaxException {
        if (lexer.kind != PolicyLexer.STRING) {
            throw lexer.error("expected " + expected + ", found " + lexer.describe());
        }
        String v = lexer.value;
        lexer.next();
        return v;
    }

    private String expectWord(String expected) throws PolicySyntaxException {
        if (lexer.kind != PolicyLexer.WORD) {
            throw lexer.error("expected " + expected + ", found " + lexer.describe());
        }
        String v = lexer.value;
        lexer.next();
        return v;
    }

    private Position here() {
        return new Position(lexer.tokenLine, lexer.tokenColumn);
    }

    private void warn(Position p, String message) {
        warnings.add(new PolicyWarning(file, p.line(), p.column(), message));
    }
}
