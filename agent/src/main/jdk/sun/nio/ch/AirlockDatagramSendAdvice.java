/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package sun.nio.ch;

import java.io.AirlockBridge;
import java.io.FileDescriptor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import net.bytebuddy.asm.Advice;

/**
 * Enter and exit advice for {@code sun.nio.ch.DatagramChannelImpl#send(FileDescriptor,
 * ByteBuffer, InetSocketAddress)}, the one method in front of the native {@code send0} of every
 * unconnected datagram send (DatagramChannel#send, DatagramSocket#send and MulticastSocket#send
 * unconnected; JDK 17 and 25 alike, whose natives differ): the broker decides the destination
 * and sends (SEND_DATAGRAM), and the JDK's own send is skipped. The kernel could not confine an
 * unconnected socket's destinations; a connected socket's writes are the program's own.
 *
 * <p>The bridge answers 0 when not routed, else the JDK's result shifted off 0 (bytes + 1, or
 * -2, {@code IOStatus.UNAVAILABLE}, after which the JDK waits for the socket and retries).
 */
final class AirlockDatagramSendAdvice {

    private AirlockDatagramSendAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static int enter(
            @Advice.Argument(0) FileDescriptor fd,
            @Advice.Argument(1) ByteBuffer src,
            @Advice.Argument(2) InetSocketAddress target)
            throws java.io.IOException {
        return AirlockBridge.sendDatagram(fd, src, target);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter int routed, @Advice.Return(readOnly = false) int result) {
        if (routed != 0) {
            result = routed > 0 ? routed - 1 : routed;
        }
    }
}
