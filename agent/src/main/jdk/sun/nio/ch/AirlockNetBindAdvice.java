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
 * Enter advice for {@code sun.nio.ch.Net#bind(ProtocolFamily, FileDescriptor, InetAddress, int)},
 * the one method in front of the native bind of every inet socket of the JDK (ServerSocket,
 * ServerSocketChannel, AsynchronousServerSocketChannel, HttpServer, a Socket's or SocketChannel's
 * local bind): the broker binds, and the JDK's own bind is skipped. Not routed (a datagram
 * socket), the JDK's bind runs. The JDK's calls of the native {@code Net#listen} after it are
 * replaced by {@code AirlockBridge#listen} (see dev.airlock.agent.Hooks).
 */
final class AirlockNetBindAdvice {

    private AirlockNetBindAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(
            @Advice.Argument(1) FileDescriptor fd,
            @Advice.Argument(2) InetAddress address,
            @Advice.Argument(3) int port)
            throws java.io.IOException {
        return AirlockBridge.bind(fd, address, port);
    }
}
