/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.net;

import java.io.AirlockBridge;
import java.util.stream.Stream;
import net.bytebuddy.asm.Advice;

/**
 * Enter and exit advice for JDK 25's {@code InetAddress$PlatformResolver#lookupByName(String,
 * LookupPolicy)}, the platform resolver's lookup below the JDK's caches: the broker resolves the
 * name (RESOLVE) and the agent applies the lookup policy's characteristics (IPv4 or IPv6 only or
 * first) to its answer, as the native lookup does. The policy is taken as an Object: the template
 * is compiled against JDK 17, which has no {@code InetAddressResolver}; the bridge reads its
 * characteristics. See dev.airlock.agent.NameRouter.
 */
final class AirlockResolverAdvice {

    private AirlockResolverAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static InetAddress[] enter(@Advice.Argument(0) String host, @Advice.Argument(1) Object policy)
            throws UnknownHostException {
        return AirlockBridge.lookupByName(host, policy);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter InetAddress[] routed, @Advice.Return(readOnly = false) Stream<InetAddress> result) {
        if (routed != null) {
            result = java.util.Arrays.stream(routed);
        }
    }
}
