package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.helper.Answer;
import dev.airlock.helper.BrokerFailedException;
import dev.airlock.helper.OperationFailedException;
import dev.airlock.helper.PolicyDeniedException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router in-process: flag mapping, path resolution, and the wording of every outcome. */
class RouterTest {

    /** An opener that records its requests and answers with a fixed outcome. */
    private static final class Recording implements Opener {
        final List<String> requests = new ArrayList<>();
        /** A descriptor, or a negative errno for a kernel failure. */
        int result;
        /** Answered instead of a descriptor when set: a broken opener's answer. */
        Reply.Success other;

        IOException failure;
        RuntimeException bug;

        @Override
        public Answer send(Request request) throws IOException {
            if (request instanceof Request.Open open) {
                requests.add(new String(open.path().bytes(), StandardCharsets.UTF_8) + " "
                        + Integer.toOctalString(open.openFlags()) + " " + Integer.toOctalString(open.mode()) + " "
                        + open.refuseDirectory());
            }
            if (failure != null) {
                throw failure;
            }
            if (bug != null) {
                throw bug;
            }
            if (other != null) {
                return new Answer(other, -1);
            }
            if (result < 0) {
                throw new OperationFailedException("/x", -result);
            }
            return new Answer(new Reply.Descriptor(), result);
        }
    }

    private final Recording opener = new Recording();
    private final Router router = new Router(opener, "/home/u/work");

    @Test
    void javaIoFlagsAreTheJdkNativesFlags() {
        assertEquals(00, Router.javaIoFlags(Router.FILE_INPUT, 0));
        assertEquals(01 | 0100 | 01000, Router.javaIoFlags(Router.FILE_OUTPUT, 0));
        assertEquals(01 | 0100 | 02000, Router.javaIoFlags(Router.FILE_OUTPUT, 1));
        assertEquals(00, Router.javaIoFlags(Router.RANDOM_ACCESS, Router.RAF_RDONLY));
        assertEquals(02 | 0100, Router.javaIoFlags(Router.RANDOM_ACCESS, Router.RAF_RDWR));
        assertEquals(02 | 0100 | 04010000, Router.javaIoFlags(Router.RANDOM_ACCESS, Router.RAF_RDWR | Router.RAF_SYNC));
        assertEquals(02 | 0100 | 010000, Router.javaIoFlags(Router.RANDOM_ACCESS, Router.RAF_RDWR | Router.RAF_DSYNC));
        assertEquals(-1, Router.javaIoFlags(Router.RANDOM_ACCESS, 0));
    }

    @Test
    void relativePathsAreResolvedLexically() {
        assertEquals("/etc/passwd", router.absolute("/etc/passwd"));
        assertEquals("/home/u/work/a.txt", router.absolute("a.txt"));
        // No folding: "..", "." and doubled slashes are for the broker to resolve race-free.
        assertEquals("/home/u/work/../x/./y", router.absolute("../x/./y"));
        assertEquals("/x", new Router(opener, "/").absolute("x"));
    }

    @Test
    void userDirMustBeAbsolute() {
        assertThrows(IllegalArgumentException.class, () -> new Router(opener, "work"));
        assertThrows(IllegalArgumentException.class, () -> new Router(opener, null));
    }

    @Test
    void successReturnsTheDescriptorAndSendsTheAbsolutePath() throws IOException {
        opener.result = 7;
        assertEquals(7, router.route(Router.FILE_OUTPUT, "out.txt", "out.txt", 1, 0));
        assertEquals(List.of("/home/u/work/out.txt 2101 666 true"), opener.requests);
    }

    @Test
    void nioPassesFlagsAndModeThroughAndAcceptsDirectories() throws IOException {
        opener.result = 9;
        assertEquals(9, router.route(Router.NIO_OPEN, "/d/f", "/d/f", 0100 | 01, 0600));
        assertEquals(List.of("/d/f 101 600 false"), opener.requests);
    }

    @Test
    void javaIoErrnoIsWordedAsTheJdkNatives() {
        opener.result = -2;
        FileNotFoundException e = assertThrows(
                FileNotFoundException.class, () -> router.route(Router.FILE_INPUT, "rel/a.txt", "rel/a.txt", 0, 0));
        // The name as the program gave it, not the absolute path sent to the broker.
        assertEquals("rel/a.txt (No such file or directory)", e.getMessage());
        opener.result = -21;
        e = assertThrows(FileNotFoundException.class, () -> router.route(Router.RANDOM_ACCESS, "/d", "/d", 2, 0));
        assertEquals("/d (Is a directory)", e.getMessage());
    }

    @Test
    void nioErrnoIsReturnedForTheJdkToTranslate() throws IOException {
        opener.result = -2;
        assertEquals(-2, router.route(Router.NIO_OPEN, "/a", "/a", 0, 0));
        opener.result = -40;
        assertEquals(-40, router.route(Router.NIO_OPENAT, "/a", "/a", 0, 0));
    }

    @Test
    void aDenialCarriesThePolicysReasonVerbatim() {
        opener.failure = new PolicyDeniedException(
                "/home/u/.ssh/id_rsa", Errno.EACCES, "denied by airlock policy app.policy: read");
        FileNotFoundException io = assertThrows(
                FileNotFoundException.class,
                () -> router.route(Router.FILE_INPUT, "/home/u/.ssh/id_rsa", "/home/u/.ssh/id_rsa", 0, 0));
        assertEquals("/home/u/.ssh/id_rsa (denied by airlock policy app.policy: read)", io.getMessage());
        AccessDeniedException nio =
                assertThrows(AccessDeniedException.class, () -> router.route(Router.NIO_OPEN, "/s", "s", 0, 0));
        assertEquals("s: denied by airlock policy app.policy: read", nio.getMessage());
        assertEquals("s", nio.getFile());
        assertEquals("denied by airlock policy app.policy: read", nio.getReason());
    }

    @Test
    void anUnreachableBrokerFailsClosedWithTheCause() {
        IOException gone = new IOException("airlock broker is gone");
        opener.failure = gone;
        FileNotFoundException io =
                assertThrows(FileNotFoundException.class, () -> router.route(Router.FILE_INPUT, "/a", "/a", 0, 0));
        assertEquals("/a (airlock broker is gone)", io.getMessage());
        assertSame(gone, io.getCause());
        FileSystemException nio =
                assertThrows(FileSystemException.class, () -> router.route(Router.NIO_OPEN, "/a", "/a", 0, 0));
        assertEquals("/a: airlock broker is gone", nio.getMessage());
        assertSame(gone, nio.getCause());
    }

    /**
     * A broker error (the broker failed internally) is an I/O error for the application, never a
     * denial: java.io's message carries the broker's words, not "denied"; NIO's exception is a
     * FileSystemException that is not an AccessDeniedException.
     */
    @Test
    void aBrokerErrorIsAnIoErrorNeverADenial() {
        opener.failure = new BrokerFailedException("airlock broker: internal error", null);
        FileNotFoundException io =
                assertThrows(FileNotFoundException.class, () -> router.route(Router.FILE_INPUT, "/a", "/a", 0, 0));
        assertEquals("/a (airlock broker: internal error)", io.getMessage());
        assertTrue(!io.getMessage().contains("denied"), io.getMessage());
        FileSystemException nio =
                assertThrows(FileSystemException.class, () -> router.route(Router.NIO_OPEN, "/a", "/a", 0, 0));
        assertTrue(!(nio instanceof AccessDeniedException), nio.toString());
        assertEquals("/a: airlock broker: internal error", nio.getMessage());
        assertSame(opener.failure, nio.getCause());
    }

    /**
     * The metadata path maps the same three kinds: a denial to the JDK's AccessDeniedException as
     * a value (the bridge throws it as EACCES that keeps the reason), another denial's errno and a
     * failure to their errno, a broker error to an exception.
     */
    @Test
    void metadataFailuresAreMappedByKind() throws IOException {
        MetadataRouter metadata = new MetadataRouter(opener, router);
        opener.failure = new PolicyDeniedException("/a", Errno.EACCES, "denied by airlock policy app.policy: write");
        AccessDeniedException denied = assertInstanceOf(
                AccessDeniedException.class, metadata.nio(Bridge.MKDIR, "/a", null, false, 0755, 0, 0));
        assertEquals("/a: denied by airlock policy app.policy: write", denied.getMessage());
        opener.failure = new PolicyDeniedException("/a", Errno.EPERM, "denied by airlock policy app.policy: write");
        assertEquals(-Errno.EPERM, metadata.nio(Bridge.MKDIR, "/a", null, false, 0755, 0, 0));
        opener.failure = new OperationFailedException("/a", Errno.EEXIST);
        assertEquals(-Errno.EEXIST, metadata.nio(Bridge.MKDIR, "/a", null, false, 0755, 0, 0));
        opener.failure = new BrokerFailedException("airlock broker: internal error", null);
        FileSystemException e = assertThrows(
                FileSystemException.class, () -> metadata.nio(Bridge.MKDIR, "/a", null, false, 0755, 0, 0));
        assertTrue(!(e instanceof AccessDeniedException), e.toString());
        assertEquals("/a: airlock broker: internal error", e.getMessage());
    }

    @Test
    void aBrokenOpenerFailsClosedToo() {
        opener.bug = new IllegalStateException("client bug");
        FileNotFoundException io =
                assertThrows(FileNotFoundException.class, () -> router.route(Router.FILE_INPUT, "/a", "/a", 0, 0));
        assertEquals("/a (client bug)", io.getMessage());
        opener.bug = null;
        opener.other = new Reply.Done();
        io = assertThrows(FileNotFoundException.class, () -> router.route(Router.FILE_INPUT, "/a", "/a", 0, 0));
        assertEquals("/a (Invalid argument)", io.getMessage());
        opener.other = new Reply.Data(new byte[] {1});
        // Not a descriptor at all: reported as EINVAL rather than trusted.
        assertEquals(-22, routeNio());
    }

    private int routeNio() {
        try {
            return router.route(Router.NIO_OPEN, "/a", "/a", 0, 0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void emptyNamesAndUnknownModesAreNotRouted() throws IOException {
        assertEquals(Router.NOT_ROUTED, router.route(Router.FILE_INPUT, "", "", 0, 0));
        assertEquals(Router.NOT_ROUTED, router.route(Router.FILE_INPUT, null, null, 0, 0));
        assertEquals(Router.NOT_ROUTED, router.route(Router.RANDOM_ACCESS, "/a", "/a", 0, 0));
        assertEquals(List.of(), opener.requests);
    }

    @Test
    void opensByTheOpenerItselfAreNotRoutedBackIntoIt() throws IOException {
        List<Integer> nested = new ArrayList<>();
        Router[] self = new Router[1];
        self[0] = new Router(
                request -> {
                    nested.add(self[0].route(Router.FILE_INPUT, "/lib/native.so", "/lib/native.so", 0, 0));
                    return new Answer(new Reply.Descriptor(), 5);
                },
                "/");
        assertEquals(5, self[0].route(Router.FILE_INPUT, "/a", "/a", 0, 0));
        assertEquals(List.of(Router.NOT_ROUTED), nested);
        // ... and the guard is released afterwards.
        assertEquals(5, self[0].route(Router.FILE_INPUT, "/b", "/b", 0, 0));
        assertEquals(2, nested.size());
    }

    @Test
    void unknownOperationsAreRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> router.route(99, "/a", "/a", 0, 0));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }
}
