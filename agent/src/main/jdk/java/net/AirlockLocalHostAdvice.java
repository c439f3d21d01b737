/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.net;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code InetAddress#getLocalHost()} (JDK 17 and 25): when the local host's name
 * is one the policy does not let the program resolve, the JDK under a SecurityManager answered the
 * loopback address instead of failing; so does this, for the broker's denial of that name (and
 * only for it: a name that does not resolve stays the JDK's UnknownHostException).
 */
final class AirlockLocalHostAdvice {

    private AirlockLocalHostAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnknownHostException.class)
    static void exit(
            @Advice.Thrown(readOnly = false) Throwable thrown, @Advice.Return(readOnly = false) InetAddress result) {
        if (thrown != null && AirlockBridge.deniedLookup(thrown)) {
            thrown = null;
            result = InetAddress.getLoopbackAddress();
        }
    }
}
