/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package sun.nio.ch;

import java.io.AirlockBridge;
import java.io.FileDescriptor;
import java.net.InetAddress;
import net.bytebuddy.asm.Advice;

/**
 * Enter and exit advice for {@code sun.nio.ch.Net#connect(ProtocolFamily, FileDescriptor,
 * InetAddress, int)}, the one method in front of the native connect of every inet socket of the
 * JDK (Socket, SocketChannel, AsynchronousSocketChannel, and so HttpURLConnection, HttpClient,
 * JDBC drivers): the broker connects, and the JDK's own connect is skipped. See
 * dev.airlock.agent.NetworkRouter.
 *
 * <p>The bridge answers 1 (connected) or -2 ({@link IOStatus#UNAVAILABLE}: connecting), which is
 * what the native connect returns, so each caller goes on as after its own connect (a blocking
 * one polls the socket for the outcome); 0 means not routed (a datagram socket), and the JDK's
 * connect runs as usual.
 */
final class AirlockNetConnectAdvice {

    private AirlockNetConnectAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static int enter(
            @Advice.Argument(1) FileDescriptor fd,
            @Advice.Argument(2) InetAddress address,
            @Advice.Argument(3) int port)
            throws java.io.IOException {
        return AirlockBridge.connect(fd, address, port);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter int routed, @Advice.Return(readOnly = false) int result) {
        if (routed != 0) {
            result = routed;
        }
    }
}
