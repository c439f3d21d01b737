package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FilePermission;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FileActionsTest {

    @Test
    void parsesTheJdksActionStrings() {
        assertEquals(FileActions.READ, FileActions.parse("read"));
        assertEquals(FileActions.READ | FileActions.WRITE, FileActions.parse(" Read ,\tWRITE\n"));
        assertEquals(FileActions.ALL, FileActions.parse("readlink,delete,execute,write,read"));
        assertEquals(FileActions.READLINK, FileActions.parse("readlink"));
        for (String bad : new String[] {
            "",
            " ",
            ",read",
            "read,",
            "read,,write",
            "read write",
            "reed",
            "readread",
            "read;write",
            "\u000Bread",
            "re\u0430d"
        }) {
            assertThrows(IllegalArgumentException.class, () -> FileActions.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> FileActions.parse(null));
    }

    @Test
    void formatsInTheJdksOrder() {
        assertEquals("read,write,execute,delete,readlink", FileActions.toString(FileActions.ALL));
        assertEquals("write,readlink", FileActions.toString(FileActions.READLINK | FileActions.WRITE));
        assertEquals("", FileActions.toString(0));
        assertThrows(IllegalArgumentException.class, () -> FileActions.toString(32));
    }

    @Test
    void acceptsExactlyWhatFilePermissionAccepts() {
        String[] parts = {
            "read",
            "WRITE",
            "execute",
            "Delete",
            "readlink",
            ",",
            " ",
            "\t",
            "\n",
            "\r",
            "\f",
            "\u000B",
            "x",
            "rea",
            "d",
            "link",
            "",
            ";"
        };
        Random r = new Random(7);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(7); k > 0; k--) {
                sb.append(parts[r.nextInt(parts.length)]);
            }
            String s = sb.toString();
            String jdk;
            try {
                jdk = new FilePermission("/x", s).getActions();
            } catch (IllegalArgumentException e) {
                jdk = null;
            }
            String ours;
            try {
                ours = FileActions.toString(FileActions.parse(s));
            } catch (IllegalArgumentException e) {
                ours = null;
            }
            assertEquals(jdk, ours, "\"" + s + "\"");
        }
    }
}
