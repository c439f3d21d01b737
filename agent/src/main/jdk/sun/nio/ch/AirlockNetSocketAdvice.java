/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package sun.nio.ch;

import java.io.AirlockBridge;
import java.io.FileDescriptor;
import java.net.ProtocolFamily;
import net.bytebuddy.asm.Advice;

/**
 * Enter and exit advice for {@code sun.nio.ch.Net#socket(ProtocolFamily, boolean)}, the one Java
 * method in front of the native {@code socket0} of every datagram socket of the JDK
 * (DatagramChannel, and DatagramSocket and MulticastSocket built on it, JDK 17 and 25 alike): a
 * datagram socket ({@code stream} false) is the broker's (DATAGRAM), of the family the JDK would
 * have chosen (the method's {@code preferIPv6}, computed by the bridge), and the JDK's own call is skipped.
 * Stream sockets are the JDK's own (their connect and bind are brokered).
 */
final class AirlockNetSocketAdvice {

    private AirlockNetSocketAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static FileDescriptor enter(@Advice.Argument(0) ProtocolFamily family, @Advice.Argument(1) boolean stream)
            throws java.io.IOException {
        if (stream) {
            return null;
        }
        return AirlockBridge.datagramSocket(family);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter FileDescriptor routed, @Advice.Return(readOnly = false) FileDescriptor result) {
        if (routed != null) {
            result = routed;
        }
    }
}
