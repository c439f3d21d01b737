package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.ClassPathFiles.Reach;
import dev.airlock.broker.ClassPathView.Cover;
import dev.airlock.broker.ClassPathView.Shown;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the helper's view is planned from the entries it may read but not reach (pure: nothing here
 * exists on disk): which directory each cover is, which entries share one, which are seen through
 * a shown directory, and what is refused.
 */
class ClassPathViewTest {
    private static Reach.Hidden file(String path, String... unsearchable) {
        return new Reach.Hidden(Path.of(path), false, paths(unsearchable));
    }

    private static Reach.Hidden directory(String path, String... unsearchable) {
        return new Reach.Hidden(Path.of(path), true, paths(unsearchable));
    }

    private static List<Path> paths(String... names) {
        List<Path> paths = new ArrayList<>();
        for (String name : names) {
            paths.add(Path.of(name));
        }
        return paths;
    }

    private static Shown shown(String path, boolean directory) {
        return new Shown(Path.of(path), directory);
    }

    @Test
    void theCoverIsTheHighestDirectoryTheHelperMayNotSearchSharedByEveryEntryBeneathIt() throws Exception {
        ClassPathView view = ClassPathView.of(List.of(
                file("/root/proj/app.jar", "/root", "/root/proj"),
                file("/root/.m2/repository/g/a/1/a-1.jar", "/root", "/root/.m2"),
                directory("/srv/private/classes", "/srv/private"),
                file("/root/proj/app.jar", "/root", "/root/proj")));
        assertEquals(
                List.of(
                        new Cover(
                                Path.of("/root"),
                                List.of(
                                        shown("/root/.m2/repository/g/a/1/a-1.jar", false),
                                        shown("/root/proj/app.jar", false))),
                        new Cover(Path.of("/srv/private"), List.of(shown("/srv/private/classes", true)))),
                view.covers(),
                "one tmpfs per highest directory, the entries beneath it in path order, each once");
        assertTrue(ClassPathView.of(List.of()).isEmpty());
        assertEquals(ClassPathView.NONE, ClassPathView.of(List.of()));
    }

    @Test
    void anEntryBeneathAShownDirectoryIsSeenThroughItsBind() throws Exception {
        ClassPathView view = ClassPathView.of(List.of(
                file("/root/proj/classes/lib/x.jar", "/root"),
                directory("/root/proj/classes", "/root"),
                file("/root/proj/classes-other.jar", "/root")));
        assertEquals(
                List.of(new Cover(
                        Path.of("/root"),
                        List.of(shown("/root/proj/classes", true), shown("/root/proj/classes-other.jar", false)))),
                view.covers(),
                "the jar inside the shown directory needs no bind; a sibling whose name merely starts alike does");
    }

    @Test
    void anEntryBehindAnUnsearchableDirectoryInsideAShownOneIsRefusedByName() {
        AirlockException refused = assertThrows(
                AirlockException.class,
                () -> ClassPathView.of(List.of(
                        directory("/root/proj/classes", "/root"),
                        file("/root/proj/classes/private/x.jar", "/root", "/root/proj/classes/private"))));
        assertEquals(ExitCodes.USAGE, refused.exitCode());
        assertTrue(
                refused.getMessage()
                        .startsWith("the class path entry /root/proj/classes/private/x.jar is not readable by the"
                                + " helper's user: it lies beneath /root/proj/classes/private, which that user may"
                                + " not search, inside the class path directory /root/proj/classes"),
                refused.getMessage());
    }

    @Test
    void theRootDirectoryIsNeverCoveredAndNestedCoversAreRefused() {
        AirlockException root =
                assertThrows(AirlockException.class, () -> ClassPathView.of(List.of(file("/app.jar", "/"))));
        assertTrue(root.getMessage().contains("may not search /"), root.getMessage());
        AirlockException nested = assertThrows(
                AirlockException.class,
                () -> ClassPathView.of(List.of(file("/root/a.jar", "/root"), file("/root/x/b.jar", "/root/x"))));
        assertTrue(nested.getMessage().startsWith("the class path changed while it was read"), nested.getMessage());
    }

    @Test
    void aHiddenEntryHasADirectoryThatHidesIt() {
        assertThrows(IllegalArgumentException.class, () -> file("/root/a.jar"));
    }
}
