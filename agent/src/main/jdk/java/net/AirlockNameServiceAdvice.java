/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.net;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Enter and exit advice for JDK 17's {@code InetAddress$PlatformNameService#lookupAllHostAddr(String)},
 * the one method in front of the platform resolver's native lookup (below the JDK's own caches,
 * which keep working on what it returns): the broker resolves the name (RESOLVE), and the native
 * lookup, which reaches no name server from the helper, is skipped. See
 * dev.airlock.agent.NameRouter. A null from the bridge means not routed (the agent's own thread):
 * the JDK's lookup runs.
 */
final class AirlockNameServiceAdvice {

    private AirlockNameServiceAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static InetAddress[] enter(@Advice.Argument(0) String host) throws UnknownHostException {
        return AirlockBridge.lookupByName(host, null);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter InetAddress[] routed, @Advice.Return(readOnly = false) InetAddress[] result) {
        if (routed != null) {
            result = routed;
        }
    }
}
