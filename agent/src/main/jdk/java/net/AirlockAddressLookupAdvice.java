/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.net;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Enter and exit advice for the platform resolver's reverse lookup, JDK 17's
 * {@code InetAddress$PlatformNameService#getHostByAddr(byte[])} and JDK 25's
 * {@code InetAddress$PlatformResolver#lookupByAddress(byte[])}: the broker answers
 * (REVERSE_RESOLVE) with a name the program may resolve, or the bridge throws the JDK's
 * {@code UnknownHostException}, after which the JDK answers the address's text itself. See
 * dev.airlock.agent.NameRouter.
 */
final class AirlockAddressLookupAdvice {

    private AirlockAddressLookupAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static String enter(@Advice.Argument(0) byte[] address) throws UnknownHostException {
        return AirlockBridge.lookupByAddress(address);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter String routed, @Advice.Return(readOnly = false) String result) {
        if (routed != null) {
            result = routed;
        }
    }
}
