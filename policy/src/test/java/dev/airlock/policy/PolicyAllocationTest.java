package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The common decision path does not allocate: {@link Policy#allowsFile} allocates nothing, and
 * {@link Policy#decideFile} / {@link Policy#decideSocket} allocate only the small result they
 * return, for normalized absolute paths and plain host names, with a thousand grants; a file
 * denial with no grant near allocates nothing more, and only a denial looks for its closest grant.
 */
class PolicyAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static Policy thousandGrants() throws PolicySyntaxException {
        StringBuilder text = new StringBuilder("grant {\n");
        for (int i = 0; i < 1000; i++) {
            text.append("permission java.io.FilePermission \"/srv/t")
                    .append(i % 40)
                    .append("/u")
                    .append(i)
                    .append(i % 2 == 0 ? "/-" : "/f")
                    .append("\", \"read,write\";\n");
            text.append("permission java.net.SocketPermission \"h")
                    .append(i)
                    .append(".example.com:443\", \"connect\";\n");
        }
        text.append("permission java.net.SocketPermission \"*.example.org\", \"connect\";\n");
        return Policy.parse("a.policy", text.append("};").toString(), Map.of("user.dir", "/w")::get);
    }

    private static final String[] PATHS = {
        "/srv/t0/u0/a/b/c.txt", "/srv/t1/u1/f", "/etc/passwd", "/srv/t5/u45/f", "/srv/t2/u2/deep/er/path/file.bin"
    };
    private static final String[] HOSTS = {"h1.example.com", "x.example.org", "10.1.2.3", "nothere.net"};
    /** Allowed on port 443; a denial there names the closest grant, which is allowed to cost. */
    private static final String[] ALLOWED_HOSTS = {
        "h1.example.com", "x.example.org", "h998.example.com", "a.example.org"
    };

    private static long bytesPerCall(Runnable r, int calls) {
        for (int i = 0; i < 200_000; i++) {
            r.run(); // warm up, let the JIT compile
        }
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        return (THREADS.getThreadAllocatedBytes(id) - before) / calls;
    }

    private static int sink;

    @Test
    void allowsFileDoesNotAllocate() throws Exception {
        Policy p = thousandGrants();
        int[] i = {0};
        long b = bytesPerCall(
                () -> {
                    if (p.allowsFile(PATHS[i[0]++ % PATHS.length], FileActions.READ)) {
                        sink++;
                    }
                },
                1_000_000);
        System.out.println("allowsFile: " + b + " bytes per decision");
        assertTrue(b == 0, b + " bytes per decision");
    }

    @Test
    void decideFileAllocatesOnlyItsResult() throws Exception {
        Policy p = thousandGrants();
        int[] i = {0};
        long b = bytesPerCall(
                () -> {
                    if (p.decideFile(PATHS[i[0]++ % PATHS.length], FileActions.READ)
                            .allowed()) {
                        sink++;
                    }
                },
                1_000_000);
        System.out.println("decideFile: " + b + " bytes per decision");
        assertTrue(b <= 32, b + " bytes per decision");
    }

    @Test
    void decideSocketAllocatesOnlyItsResult() throws Exception {
        Policy p = thousandGrants();
        int[] i = {0};
        long b = bytesPerCall(
                () -> {
                    if (p.decideSocket(ALLOWED_HOSTS[i[0]++ % ALLOWED_HOSTS.length], 443, SocketActions.CONNECT)
                            .allowed()) {
                        sink++;
                    }
                },
                1_000_000);
        System.out.println("decideSocket, allowed: " + b + " bytes per decision");
        assertTrue(b <= 24, b + " bytes per decision");
        long denied = bytesPerCall(
                () -> {
                    if (p.decideSocket(HOSTS[2 + (i[0]++ % 2)], 443, SocketActions.CONNECT)
                            .closest()
                            .isPresent()) {
                        sink++;
                    }
                },
                20_000);
        // Not bounded: a denial scans the socket grants for the closest one.
        System.out.println("decideSocket, denied with a closest grant: " + denied + " bytes per decision");
    }
}
