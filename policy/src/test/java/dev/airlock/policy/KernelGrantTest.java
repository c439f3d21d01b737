package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Which grants a kernel rule carries exactly ({@link Policy#kernelGrants}), and that whatever a
 * kernel grant lets through, the policy's own decision allows: for every path at or beneath a
 * grant, on random policies too.
 */
class KernelGrantTest {
    private static Policy policy(String... lines) throws PolicySyntaxException {
        StringBuilder text = new StringBuilder("grant {\n");
        for (int i = 0; i < lines.length; i += 2) {
            text.append("  permission java.io.FilePermission \"")
                    .append(lines[i])
                    .append("\", \"")
                    .append(lines[i + 1])
                    .append("\";\n");
        }
        return Policy.parse("k.policy", text.append("};\n").toString(), Map.of("user.dir", "/w")::get);
    }

    private static List<String> shown(Policy p) {
        List<String> out = new ArrayList<>();
        for (KernelGrant g : p.kernelGrants()) {
            out.add(g.toString());
        }
        return out;
    }

    @Test
    void singleFilesAndTreesAreKernelGrantsEntriesAndAllFilesAreNot() throws Exception {
        Policy p = policy(
                "/etc/app.conf", "read",
                "/opt/tool", "read,execute,readlink",
                "/srv/data/-", "read,write,delete,execute,readlink",
                "/srv/in/*", "read",
                "<<ALL FILES>>", "readlink");
        assertEquals(
                List.of(
                        "FILE /etc/app.conf read",
                        "FILE /opt/tool read,execute",
                        "TREE /srv/data read,write,execute,delete"),
                shown(p));
    }

    @Test
    void aTreeListsDirectoriesOnlyWhenTheDirectoryItselfIsReadable() throws Exception {
        Policy p = policy(
                "/a/-", "read",
                "/b/-", "read",
                "/b", "read",
                "/c/-", "read",
                "/d/*", "read",
                "/e/-", "write");
        // "/b" is a single-file grant to the policy, which does not know /b is a directory: the
        // kernel rule's maker skips what is not a regular file.
        assertEquals(
                List.of("TREE /a read", "FILE /b read", "TREE /b read listable", "TREE /c read", "TREE /e write"),
                shown(p));
        Policy entries = policy("/x/d/-", "read", "/x/*", "read");
        assertEquals(List.of("TREE /x/d read listable"), shown(entries));
    }

    @Test
    void aFileTheProgramMayWriteOrDeleteStaysBrokered() throws Exception {
        Policy p = policy(
                "/f/written", "read,write",
                "/f/deleted", "read,delete",
                "/t/-", "write",
                "/t/inside", "read",
                "/u/-", "delete",
                "/u/inside", "read",
                "/f/plain", "read");
        assertEquals(List.of("FILE /f/plain read", "TREE /t write", "TREE /u delete"), shown(p));
    }

    @Test
    void aTreeThatATreeAboveMayDeleteStaysBrokered() throws Exception {
        Policy p = policy("/a/-", "read,write,delete", "/a/b/-", "read", "/c/-", "read", "/c", "delete");
        // /a/b is a grant root beneath /a: /a's delete is the broker's alone.
        assertEquals(List.of("TREE /a read,write"), shown(p));
    }

    @Test
    void aTreeMayNotDeleteWhereAnotherGrantsRootLiesBeneathIt() throws Exception {
        Policy p = policy("/a/-", "read,write,delete", "/a/b/c/*", "read", "/d/-", "write,delete", "/d", "read");
        assertEquals(List.of("TREE /a read,write", "FILE /d read", "TREE /d write,delete"), shown(p));
        assertEquals(List.of(), shown(policy("/e/-", "delete", "/e/f/g", "read")));
    }

    @Test
    void theActionsOfASingleFileAreThePolicysWholeAnswerForIt() throws Exception {
        Policy p = policy("/a/f", "execute", "/a/*", "read");
        assertEquals(List.of("FILE /a/f read,execute"), shown(p));
    }

    @Test
    void readlinkAloneAndTheRootAsAFileAreNoKernelGrants() throws Exception {
        assertEquals(List.of(), shown(policy("/a/-", "readlink", "/", "read", "/b/l", "readlink")));
    }

    /**
     * The kernel grant never grants what the policy denies: each action of a tree on every path
     * beneath it (and of a file on the file), and listing the directory itself only when listable.
     */
    @Test
    void everyKernelGrantIsImpliedByThePolicyOnRandomPolicies() throws Exception {
        Random random = new Random(11);
        String[] paths = {"/a", "/a/b", "/a/b/c", "/a/x", "/b", "/b/c"};
        String[] actions = {"read", "write", "delete", "execute", "readlink", "read,write", "write,delete"};
        for (int round = 0; round < 500; round++) {
            List<String> lines = new ArrayList<>();
            for (int g = 0, n = 1 + random.nextInt(5); g < n; g++) {
                String path = paths[random.nextInt(paths.length)];
                int shape = random.nextInt(4);
                lines.add(shape == 0 ? path : shape == 1 ? path + "/-" : shape == 2 ? path + "/*" : path + "/-");
                lines.add(actions[random.nextInt(actions.length)]);
            }
            Policy p = policy(lines.toArray(new String[0]));
            for (KernelGrant k : p.kernelGrants()) {
                for (int action :
                        new int[] {FileActions.READ, FileActions.WRITE, FileActions.DELETE, FileActions.EXECUTE}) {
                    if ((k.actions() & action) == 0) {
                        continue;
                    }
                    List<String> covered = k.kind() == KernelGrant.Kind.FILE
                            ? List.of(k.path())
                            : List.of(k.path() + "/n", k.path() + "/b/c", k.path() + "/x/y/z");
                    for (String path : covered) {
                        assertTrue(p.allowsFile(path, action), () -> k + " on " + path + " in " + lines);
                    }
                }
                if (k.listable()) {
                    assertTrue(p.allowsFile(k.path(), FileActions.READ), () -> k + " lists itself in " + lines);
                }
                if (k.kind() == KernelGrant.Kind.FILE) {
                    assertTrue(
                            !p.allowsFile(k.path(), FileActions.WRITE) && !p.allowsFile(k.path(), FileActions.DELETE),
                            () -> k + " could be moved in " + lines);
                } else {
                    assertTrue(!p.allowsFile(k.path(), FileActions.DELETE), () -> k + " could be moved in " + lines);
                    if ((k.actions() & FileActions.DELETE) != 0) {
                        for (String root : p.fileGrantRoots()) {
                            assertTrue(
                                    !root.startsWith(k.path() + "/"),
                                    () -> k + " could rename the grant root " + root + " in " + lines);
                        }
                    }
                }
            }
        }
    }
}
