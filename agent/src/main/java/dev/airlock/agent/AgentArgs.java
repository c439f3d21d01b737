package dev.airlock.agent;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The agent's arguments, {@code -javaagent:airlock.jar=KEY=VALUE,KEY=VALUE}.
 *
 * <ul>
 *   <li>{@code channel=N}: the helper's end of the broker socketpair (3 in practice);
 *   <li>{@code policy=NAME}: the policy's display name; informational (for diagnostics), since
 *       the broker's denial reasons already name the policy;
 *   <li>{@code cache=DIR}: transformed JDK classes prepared earlier (read-only here);
 *   <li>{@code prepare=DIR}: an unconfined run that writes that cache and exits;
 *   <li>{@code direct=PATH:PATH:...}: the absolute paths the kernel lets the helper read itself
 *       (its Landlock read rules), each percent-encoded; metadata within them is not brokered;
 *   <li>{@code hidden=PATH:PATH:...}: the directories the broker covered in the helper's mount
 *       namespace to show it class path entries beneath them (broker's {@code ClassPathView}),
 *       each percent-encoded: what else is beneath them is not there natively, so an NIO open
 *       that finds nothing there is asked of the broker too;
 *   <li>{@code timeline=NANOS}: the start-up timeline is on, and its origin, the broker's process
 *       start on the {@link System#nanoTime} clock ({@link dev.airlock.ipc.StartupTimeline}).
 * </ul>
 *
 * <p>Values are percent-decoded (UTF-8), so a display name may carry {@code ,} as {@code %2C} and
 * {@code %} as {@code %25}. Parsing is strict: an unknown or repeated key, or a malformed value, is
 * an error and the agent refuses to start rather than run with a setting it did not understand.
 */
final class AgentArgs {

    private final int channel;
    private final String policy;
    private final Path cache;
    private final Path prepare;
    private final List<String> directRoots;
    private final List<String> hiddenRoots;
    private final OptionalLong timeline;

    private AgentArgs(
            int channel,
            String policy,
            Path cache,
            Path prepare,
            List<String> directRoots,
            List<String> hiddenRoots,
            OptionalLong timeline) {
        this.timeline = timeline;
        this.directRoots = directRoots;
        this.hiddenRoots = hiddenRoots;
        this.channel = channel;
        this.policy = policy;
        this.cache = cache;
        this.prepare = prepare;
    }

    /** Parses the agent argument string; null or empty means no arguments. */
    static AgentArgs parse(String args) {
        int channel = -1;
        String policy = null;
        Path cache = null;
        Path prepare = null;
        // Without direct=, nothing is known of the kernel's view: every path counts as direct, and
        // only the kernel's refusals are routed (opens and changes), as before the broker served
        // metadata. The broker always passes the list.
        List<String> direct = List.of("/");
        List<String> hidden = List.of();
        OptionalLong timeline = OptionalLong.empty();
        Set<String> seen = new HashSet<>();
        if (args != null && !args.isEmpty()) {
            for (String item : args.split(",", -1)) {
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("agent argument '" + item + "' is not KEY=VALUE");
                }
                String key = item.substring(0, eq);
                String raw = item.substring(eq + 1);
                String value = key.equals("direct") || key.equals("hidden") ? raw : decode(raw);
                if (!seen.add(key)) {
                    throw new IllegalArgumentException("agent argument '" + key + "' given twice");
                }
                switch (key) {
                    case "channel":
                        channel = parseDescriptor(value);
                        break;
                    case "policy":
                        if (value.isEmpty()) {
                            throw new IllegalArgumentException("agent argument 'policy' is empty");
                        }
                        policy = value;
                        break;
                    case "direct":
                        direct = roots(key, value);
                        break;
                    case "hidden":
                        hidden = roots(key, value);
                        break;
                    case "cache":
                        cache = absoluteDirectory(key, value);
                        break;
                    case "prepare":
                        prepare = absoluteDirectory(key, value);
                        break;
                    case "timeline":
                        timeline = OptionalLong.of(parseNanos(key, value));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown agent argument '" + key + "'");
                }
            }
        }
        return new AgentArgs(channel, policy, cache, prepare, direct, hidden, timeline);
    }

    /** The channel descriptor, or -1 when none was given. */
    int channel() {
        return channel;
    }

    /** The policy display name, or null when none was given. */
    String policy() {
        return policy;
    }

    /** The direct roots, absolute, without a trailing '/' (except "/" itself); empty when none. */
    List<String> directRoots() {
        return directRoots;
    }

    /** The directories covered in the helper's mount namespace, as {@link #directRoots}; empty when none. */
    List<String> hiddenRoots() {
        return hiddenRoots;
    }

    private static List<String> roots(String key, String value) {
        List<String> roots = new ArrayList<>();
        if (value.isEmpty()) {
            return roots;
        }
        for (String part : value.split(":", -1)) {
            String root = decode(part);
            if (!root.startsWith("/")) {
                throw new IllegalArgumentException(
                        "agent argument '" + key + "' holds a relative path: '" + root + "'");
            }
            while (root.length() > 1 && root.endsWith("/")) {
                root = root.substring(0, root.length() - 1);
            }
            roots.add(root);
        }
        return List.copyOf(roots);
    }

    /** The origin of the start-up timeline, or empty when it is off. */
    OptionalLong timeline() {
        return timeline;
    }

    /** The transform cache to read, or null. */
    Path cache() {
        return cache;
    }

    /** The directory a prepare run writes the transform cache to, or null for a normal run. */
    Path prepare() {
        return prepare;
    }

    private static int parseDescriptor(String value) {
        try {
            int fd = Integer.parseInt(value);
            if (fd >= 0) {
                return fd;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("agent argument 'channel' is not a descriptor: '" + value + "'");
    }

    /** A {@link System#nanoTime} value: a decimal long, the sign allowed (the clock's origin is arbitrary). */
    private static long parseNanos(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "agent argument '" + key + "' is not a time in nanoseconds: '" + value + "'", e);
        }
    }

    private static Path absoluteDirectory(String key, String value) {
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException("agent argument '" + key + "' is not an absolute path: '" + value + "'");
        }
        return Path.of(value);
    }

    /** Percent-decoding without URLDecoder's form rules ('+' stays '+'). */
    static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); ) {
            char c = value.charAt(i);
            if (c == '%') {
                int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(value.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("bad percent escape in agent argument '" + value + "'");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                int cp = value.codePointAt(i);
                byte[] raw = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("agent argument '" + value + "' is not UTF-8 once decoded", e);
        }
    }
}
