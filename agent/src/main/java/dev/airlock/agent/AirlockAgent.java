package dev.airlock.agent;

import java.lang.instrument.Instrumentation;

/**
 * The {@code Premain-Class} of airlock.jar: makes the confined helper JVM's own file opens ask the
 * broker when the kernel refuses them, so that the application runs unchanged.
 *
 * <p>The agent is for transparency, not for security: the kernel confines the helper and the
 * broker's policy decides what it may open; if this agent is bypassed, nothing more is reachable.
 * What it must never do is let the application run with the routing half-installed, so any failure
 * here prints one line starting {@code airlock:} and halts the JVM with status {@value #FAILED}
 * before the application's {@code main}. On success it prints nothing: the helper's stdout and
 * stderr belong to the application.
 *
 * <p>In a helper, the thread that checks the broker channel first arms the helper's parent-death
 * signal ({@link ParentDeath}), so that the helper dies with the broker.
 *
 * <p>Given neither {@code channel=} nor {@code prepare=}, the agent is the drop-in
 * ({@link DropIn}): the JVM that loaded it becomes the broker of its own program.
 *
 * <p>A run with {@code prepare=DIR} (confined like a helper, started by the broker) writes the
 * transform cache for this JDK into DIR and exits with status 0 instead; see {@link TransformCache}.
 */
public final class AirlockAgent {

    /** Exit status when the agent cannot install itself (EX_SOFTWARE). */
    static final int FAILED = 70;

    private AirlockAgent() {}

    /**
     * Entry point for {@code -javaagent:airlock.jar=channel=3,policy=NAME[,cache=DIR]}.
     *
     * @param agentArgs the argument string, see {@link AgentArgs}
     * @param inst the JVM's instrumentation
     */
    public static void premain(String agentArgs, Instrumentation inst) {
        long entered = System.nanoTime();
        if (!isHelper(agentArgs)) {
            // Not started by a broker: the drop-in, which becomes one (or does nothing in a sandbox).
            DropIn.start(agentArgs, inst);
            return;
        }
        start(agentArgs, inst, new BrokerOpeners(), entered);
    }

    /**
     * Entry point for a dynamic attach ({@code Agent-Class}): refused, because a JVM already
     * running cannot be confined from its first instruction, and its program has run unconfined.
     * The running JVM goes on untouched; the attach fails with this message.
     */
    public static void agentmain(String agentArgs, Instrumentation inst) {
        String message = "airlock: the agent cannot be attached to a running JVM, which the kernel can no longer"
                + " confine from its first instruction; start it with -javaagent:airlock.jar=policy=FILE";
        System.err.println(message);
        System.err.flush();
        throw new IllegalStateException(message);
    }

    /**
     * Whether {@code agentArgs} are the ones a broker gives its helper (or its transform-cache
     * preparation): they name {@code channel=} or {@code prepare=}, which no drop-in option does.
     */
    static boolean isHelper(String agentArgs) {
        if (agentArgs == null) {
            return false;
        }
        for (String item : agentArgs.split(",", -1)) {
            if (item.startsWith("channel=") || item.startsWith("prepare=")) {
                return true;
            }
        }
        return false;
    }

    /** The production opener (a class, not a lambda: no lambda bootstrap on the start-up path). */
    private static final class BrokerOpeners implements OpenerFactory {
        @Override
        public Opener create(AgentArgs args) {
            if (args.channel() < 0) {
                throw new IllegalArgumentException("agent arguments need channel=FD");
            }
            // The installer starts its check once the bridge exists (see Installer#install).
            return new BrokerOpener(args.channel());
        }
    }

    /** Creates the opener once the arguments are known. */
    interface OpenerFactory {
        Opener create(AgentArgs args) throws Exception;
    }

    /**
     * Parses the arguments and installs, or prepares the cache and exits; halts on any failure.
     * Shared with the tests' premain, which passes its own opener.
     */
    static Installer.Mode start(String agentArgs, Instrumentation inst, OpenerFactory openers) {
        return start(agentArgs, inst, openers, System.nanoTime());
    }

    /** As {@link #start(String, Instrumentation, OpenerFactory)}, premain entered at {@code entered} ({@link HelperTimeline}). */
    private static Installer.Mode start(String agentArgs, Instrumentation inst, OpenerFactory openers, long entered) {
        try {
            AgentArgs args = AgentArgs.parse(agentArgs);
            if (args.prepare() != null) {
                Installer.prepare(inst, args.prepare());
                System.exit(0);
            }
            HelperTimeline.start(args, entered);
            Installer.Mode mode = Installer.install(inst, args, openers.create(args));
            HelperTimeline.installed(args, inst);
            return mode;
        } catch (Throwable t) {
            fail(t);
            throw new AssertionError("unreachable", t);
        }
    }

    /** Halts the JVM with one {@code airlock:} line: the helper must not run as it is. */
    static void refuse(String why) {
        System.err.println("airlock: " + why.replace('\n', ' ').replace('\r', ' '));
        System.err.flush();
        Runtime.getRuntime().halt(FAILED);
    }

    private static void fail(Throwable t) {
        // An Error (a class missing from the jar, say) is clearest with its type.
        String message = t instanceof Error || t.getMessage() == null ? t.toString() : t.getMessage();
        // One line, whatever the cause's message holds.
        message = message.replace('\n', ' ').replace('\r', ' ');
        System.err.println("airlock: cannot install the file-access agent: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(FAILED);
    }
}
