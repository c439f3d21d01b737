package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The class path as the JVM reads it, computed from a made-up tree (nothing here exists on disk):
 * manifests followed as {@code URLClassPath} follows them, wildcards as the launcher expands them,
 * argfiles and {@code JDK_JAVA_OPTIONS} as the launcher reads them.
 */
class ClassPathTest {
    private static final Path WORK = Path.of("/made/up/work");

    /** A made-up tree: kinds, manifests, argfiles, and what the helper may not read. */
    private static final class Tree implements ClassPathFiles {
        final Map<Path, Kind> kinds = new HashMap<>();
        final Map<Path, String> manifests = new HashMap<>();
        final Map<Path, String> argFiles = new HashMap<>();
        final Map<Path, String> unreadable = new HashMap<>();
        final Map<Path, List<Path>> hidden = new HashMap<>();
        final List<Path> argFilesRead = new ArrayList<>();

        Tree jar(String path, String classPath) {
            kinds.put(Path.of(path), Kind.ARCHIVE);
            if (classPath != null) {
                manifests.put(Path.of(path), classPath);
            }
            return this;
        }

        Tree kind(String path, Kind kind) {
            kinds.put(Path.of(path), kind);
            return this;
        }

        @Override
        public Kind kind(Path path) {
            return kinds.getOrDefault(path, Kind.MISSING);
        }

        @Override
        public Optional<String> manifestClassPath(Path jar) {
            return Optional.ofNullable(manifests.get(jar));
        }

        @Override
        public List<Path> jarsIn(Path directory) {
            List<Path> jars = new ArrayList<>();
            for (Path p : kinds.keySet()) {
                String name = p.getFileName().toString();
                if (directory.equals(p.getParent()) && (name.endsWith(".jar") || name.endsWith(".JAR"))) {
                    jars.add(p);
                }
            }
            jars.sort(null);
            return jars;
        }

        @Override
        public String argFile(Path file) throws AirlockException {
            argFilesRead.add(file);
            String content = argFiles.get(file);
            if (content == null) {
                throw new AirlockException(ExitCodes.USAGE, "@" + file + ": not granted");
            }
            return content;
        }

        /** {@code path} readable to the helper itself, behind the unsearchable {@code directories} (highest first). */
        Tree hidden(String path, String... directories) {
            hidden.put(Path.of(path), paths(directories));
            return this;
        }

        @Override
        public Reach helperReach(Path path) {
            if (unreadable.containsKey(path)) {
                return new Reach.Refused(unreadable.get(path));
            }
            if (hidden.containsKey(path)) {
                return new Reach.Hidden(path, kind(path) == Kind.DIRECTORY, hidden.get(path));
            }
            return new Reach.Reached();
        }
    }

    private static ClassPath resolve(Tree tree, Map<String, String> variables, String... args) throws Exception {
        return ClassPath.resolve(List.of(args), variables, WORK, tree);
    }

    private static List<Path> paths(String... names) {
        List<Path> paths = new ArrayList<>();
        for (String name : names) {
            paths.add(Path.of(name));
        }
        return paths;
    }

    @Test
    void aJarsManifestIsFollowedRecursivelyRelativeToEachJar() throws Exception {
        Tree tree = new Tree()
                .jar("/made/up/work/app.jar", "lib/a.jar  lib/missing.jar\tfile:/opt/abs.jar http://x/y.jar")
                .jar("/made/up/work/lib/a.jar", "b.jar ../app.jar")
                .jar("/made/up/work/lib/b.jar", "../../shared/c%20d.jar")
                .jar("/made/up/shared/c d.jar", null)
                .jar("/opt/abs.jar", null)
                .jar("/made/up/work/lib/stray.jar", null);
        ClassPath cp = resolve(tree, Map.of(), "-jar", "app.jar", "-cp", "ignored");
        assertEquals(
                paths(
                        "/made/up/work/app.jar",
                        "/made/up/work/lib/a.jar",
                        "/opt/abs.jar",
                        "/made/up/work/lib/b.jar",
                        "/made/up/shared/c d.jar"),
                cp.entries(),
                "missing and non-file entries skipped, cycles followed once, the stray jar never named");
        assertEquals(List.of(), cp.warnings());
    }

    @Test
    void classPathJarsManifestsAndAgentJarsManifestsAreFollowedToo() throws Exception {
        Tree tree = new Tree()
                .jar("/made/up/work/x.jar", "y.jar")
                .jar("/made/up/work/y.jar", null)
                .jar("/made/up/tools/agent.jar", "agent-lib.jar")
                .jar("/made/up/tools/agent-lib.jar", null);
        ClassPath cp = resolve(tree, Map.of(), "-javaagent:/made/up/tools/agent.jar=opt", "-cp", "x.jar", "Main");
        assertEquals(
                paths(
                        "/made/up/work/x.jar",
                        "/made/up/tools/agent.jar",
                        "/made/up/work/y.jar",
                        "/made/up/tools/agent-lib.jar"),
                cp.entries());
    }

    @Test
    void aManifestNamesOnlyArchivesNeverADirectoryTree() throws Exception {
        Tree tree = new Tree()
                .jar("/made/up/work/app.jar", "classes/ ../ notajar.jar dir.jar")
                .kind("/made/up/work/classes", ClassPathFiles.Kind.DIRECTORY)
                .kind("/made/up", ClassPathFiles.Kind.DIRECTORY)
                .kind("/made/up/work/notajar.jar", ClassPathFiles.Kind.OTHER)
                .kind("/made/up/work/dir.jar", ClassPathFiles.Kind.DIRECTORY);
        ClassPath cp = resolve(tree, Map.of(), "-jar", "app.jar");
        assertEquals(paths("/made/up/work/app.jar"), cp.entries());
        assertEquals(2, cp.warnings().size(), cp.warnings().toString());
        assertTrue(
                cp.warnings().get(0).contains("names the directory /made/up/work/classes"),
                cp.warnings().get(0));
        assertTrue(
                cp.warnings().get(1).contains("names the directory /made/up,"),
                cp.warnings().get(1));
    }

    @Test
    void aWildcardIsTheJarsOfItsDirectoryOnly() throws Exception {
        Tree tree = new Tree()
                .jar("/made/up/work/lib/one.jar", null)
                .jar("/made/up/work/lib/TWO.JAR", "../extra.jar")
                .jar("/made/up/work/extra.jar", null)
                .kind("/made/up/work/lib/notes.txt", ClassPathFiles.Kind.OTHER)
                .kind("/made/up/work/lib/three.Jar", ClassPathFiles.Kind.ARCHIVE)
                .kind("/made/up/work/lib/sub", ClassPathFiles.Kind.DIRECTORY)
                .jar("/made/up/work/top.jar", null)
                .kind("/made/up/work/lib", ClassPathFiles.Kind.DIRECTORY);
        assertEquals(
                paths("/made/up/work/lib"),
                resolve(tree, Map.of(), "--class-path=lib/*", "Main").listed(),
                "the launcher lists the directory itself");
        assertEquals(
                paths("/made/up/work/lib/TWO.JAR", "/made/up/work/lib/one.jar", "/made/up/work/extra.jar"),
                resolve(tree, Map.of(), "--class-path=lib/*", "Main").entries(),
                "*.jar and *.JAR only, not the directory; their manifests followed");
        assertEquals(
                paths("/made/up/work/extra.jar", "/made/up/work/top.jar"),
                resolve(tree, Map.of(), "-cp", "*", "Main").entries(),
                "a bare * is the working directory's jars");
    }

    @Test
    void theLastClassPathWinsAndJarOverridesIt() throws Exception {
        Tree tree = new Tree();
        assertEquals(
                paths("/made/up/work/b"),
                resolve(tree, Map.of(), "-cp", "a", "-cp", "b", "Main").entries());
        assertEquals(
                paths("/made/up/work/app.jar"),
                resolve(tree, Map.of("CLASSPATH", "/env"), "-cp", "a", "-jar", "app.jar")
                        .entries());
        assertEquals(
                paths("/env", "/made/up/work"),
                resolve(tree, Map.of("CLASSPATH", "/env:"), "--add-modules", "ALL-SYSTEM", "Main")
                        .entries(),
                "CLASSPATH with an empty element; an option's value is not the main class");
        assertEquals(
                paths("/made/up/work/mods2"),
                resolve(tree, Map.of(), "-p", "mods1", "--module-path", "mods2", "-m", "app/app.Main", "-cp", "no")
                        .entries(),
                "the last module path; a module gets no working directory");
    }

    @Test
    void argFilesAreExpandedUpToTheMainClassAndReadByTheLauncher() throws Exception {
        Tree tree = new Tree().jar("/made/up/work/from-file.jar", null);
        tree.argFiles.put(Path.of("/made/up/work/args"), "# the class path\n-cp 'from-file.jar'\nMain @not-a-file\n");
        ClassPath cp = resolve(tree, Map.of(), "@args", "@app-arg");
        assertEquals(paths("/made/up/work/from-file.jar"), cp.entries());
        assertEquals(paths("/made/up/work/args"), cp.nativeReads(), "the launcher reads it: the helper must");
        assertEquals(paths("/made/up/work/args"), tree.argFilesRead, "nothing after the main class is a file");

        tree.argFilesRead.clear();
        assertEquals(
                paths("/made/up/work/@literal"),
                resolve(tree, Map.of(), "-cp", "@@literal", "Main").entries(),
                "@@ is an escaped @");
        assertEquals(List.of(), tree.argFilesRead);

        AirlockException refused =
                assertThrows(AirlockException.class, () -> resolve(tree, Map.of(), "@ungranted", "Main"));
        assertEquals("@/made/up/work/ungranted: not granted", refused.getMessage());
    }

    @Test
    void jdkJavaOptionsComeFirstWithTheirArgFiles() throws Exception {
        Tree tree = new Tree().jar("/made/up/env.jar", null).jar("/made/up/opt.jar", null);
        tree.argFiles.put(Path.of("/made/up/opts"), "-javaagent:/made/up/opt.jar");
        ClassPath cp = resolve(
                tree,
                Map.of("JDK_JAVA_OPTIONS", "  -Dx=\"a b\" --class-path /made/up/env.jar @/made/up/opts "),
                "Main");
        assertEquals(paths("/made/up/env.jar", "/made/up/opt.jar"), cp.entries());
        assertEquals(paths("/made/up/opts"), cp.nativeReads());
        assertEquals(
                paths("/made/up/work/cli"),
                resolve(tree, Map.of("JDK_JAVA_OPTIONS", "-cp /made/up/env.jar"), "-cp", "cli", "Main")
                        .entries(),
                "the command line's -cp comes after the variable's, so it wins");
    }

    @Test
    void anEntryTheHelperCannotReadIsRefusedByName() throws Exception {
        Tree tree =
                new Tree().jar("/made/up/work/app.jar", "../private/lib.jar").jar("/made/up/private/lib.jar", null);
        tree.unreadable.put(Path.of("/made/up/private/lib.jar"), "/made/up/private is rwx------");
        AirlockException refused =
                assertThrows(AirlockException.class, () -> resolve(tree, Map.of(), "-jar", "app.jar"));
        assertEquals(ExitCodes.USAGE, refused.exitCode());
        assertTrue(
                refused.getMessage()
                        .startsWith("the class path entry /made/up/private/lib.jar is not readable by the helper's user"
                                + " (/made/up/private is rwx------)"),
                refused.getMessage());
        tree.unreadable.put(Path.of("/made/up/work/gone.jar"), "never asked: it does not exist");
        assertEquals(
                paths("/made/up/work/gone.jar"),
                resolve(tree, Map.of(), "-cp", "gone.jar", "Main").entries());
    }

    @Test
    void entriesBehindADirectoryTheHelperMayNotSearchAreShownInItsView() throws Exception {
        // a project under a 0700 /made/up/root whose jar names jars of a repository beneath it
        Tree tree = new Tree()
                .jar("/made/up/root/proj/app.jar", "../repo/a.jar ../repo/b.jar")
                .jar("/made/up/root/repo/a.jar", null)
                .jar("/made/up/root/repo/b.jar", null)
                .jar("/opt/agent.jar", null)
                .kind("/made/up/root/proj/args", ClassPathFiles.Kind.OTHER)
                .hidden("/made/up/root/proj/app.jar", "/made/up/root")
                .hidden("/made/up/root/repo/a.jar", "/made/up/root", "/made/up/root/repo")
                .hidden("/made/up/root/repo/b.jar", "/made/up/root", "/made/up/root/repo")
                .hidden("/made/up/root/proj/args", "/made/up/root");
        tree.argFiles.put(Path.of("/made/up/root/proj/args"), "-javaagent:/opt/agent.jar");
        ClassPath cp = resolve(tree, Map.of(), "@/made/up/root/proj/args", "-jar", "/made/up/root/proj/app.jar");
        assertEquals(
                paths(
                        "/made/up/root/proj/app.jar",
                        "/opt/agent.jar",
                        "/made/up/root/repo/a.jar",
                        "/made/up/root/repo/b.jar"),
                cp.entries(),
                "the class path is what it is without a view");
        assertEquals(
                new ClassPathView(List.of(new ClassPathView.Cover(
                        Path.of("/made/up/root"),
                        List.of(
                                new ClassPathView.Shown(Path.of("/made/up/root/proj/app.jar"), false),
                                new ClassPathView.Shown(Path.of("/made/up/root/proj/args"), false),
                                new ClassPathView.Shown(Path.of("/made/up/root/repo/a.jar"), false),
                                new ClassPathView.Shown(Path.of("/made/up/root/repo/b.jar"), false))))),
                cp.view(),
                "one cover for the highest directory, the entries and the argfile beneath it; the reachable agent none");
        assertTrue(resolve(new Tree().jar("/opt/agent.jar", null), Map.of(), "-cp", "/opt/agent.jar", "Main")
                .view()
                .isEmpty());
    }

    @Test
    void aWildcardDirectoryBehindAHiddenOneIsShownWholeForTheLauncherToList() throws Exception {
        Tree tree = new Tree()
                .kind("/made/up/root/lib", ClassPathFiles.Kind.DIRECTORY)
                .jar("/made/up/root/lib/a.jar", null)
                .hidden("/made/up/root/lib", "/made/up/root")
                .hidden("/made/up/root/lib/a.jar", "/made/up/root");
        ClassPath cp = resolve(tree, Map.of(), "-cp", "/made/up/root/lib/*", "Main");
        assertEquals(paths("/made/up/root/lib/a.jar"), cp.entries());
        assertEquals(
                new ClassPathView(List.of(new ClassPathView.Cover(
                        Path.of("/made/up/root"),
                        List.of(new ClassPathView.Shown(Path.of("/made/up/root/lib"), true))))),
                cp.view(),
                "the directory's bind shows its jars; the list-only rule still keeps its other files unread");
        tree.unreadable.put(Path.of("/made/up/root/lib"), "/made/up/root/lib is rwx--x--x");
        AirlockException refused = assertThrows(
                AirlockException.class, () -> resolve(tree, Map.of(), "-cp", "/made/up/root/lib/*", "Main"));
        assertTrue(
                refused.getMessage()
                        .startsWith("the class path directory the launcher lists /made/up/root/lib is not readable by"
                                + " the helper's user (/made/up/root/lib is rwx--x--x)"),
                refused.getMessage());
    }

    @Test
    void theCurrentDirectoryWarnsWhenItIsRootOrHoldsTheHome() throws Exception {
        Tree tree = new Tree();
        Map<String, String> homeIsWork = Map.of("HOME", "/made/up/work");
        assertEquals(
                List.of("airlock: WARNING: the class path is the current directory (no -cp and no CLASSPATH), so the"
                        + " program may read everything under /made/up/work, your home directory that its user can;"
                        + " give -cp with the program's own directories or jars to avoid it"),
                resolve(tree, homeIsWork, "Main").warnings());
        assertTrue(
                resolve(tree, homeIsWork, "-cp", ".", "Main").warnings().get(0).contains("(-cp .)"));
        assertTrue(resolve(tree, homeIsWork, "-cp", "a.jar:", "Main")
                .warnings()
                .get(0)
                .contains("(an empty entry in -cp a.jar:)"));
        assertEquals(
                1, resolve(tree, homeIsWork, "-cp", ".::.", "Main").warnings().size(), "once");
        assertTrue(resolve(tree, Map.of("HOME", "/made/up/work/me"), "Main")
                .warnings()
                .get(0)
                .contains("/made/up/work, which holds your home directory /made/up/work/me"));
        assertEquals(
                List.of(), resolve(tree, Map.of("HOME", "/home/me"), "Main").warnings(), "elsewhere: no warning");
        assertEquals(List.of(), resolve(tree, homeIsWork, "-cp", "app", "Main").warnings());
        assertEquals(List.of(), resolve(tree, homeIsWork, "-m", "app/app.Main").warnings(), "a module: no directory");
        ClassPath atRoot = ClassPath.resolve(List.of("Main"), Map.of(), Path.of("/"), tree);
        assertTrue(
                atRoot.warnings().get(0).contains("everything under /, the whole file system"),
                atRoot.warnings().toString());
    }

    @Test
    void manifestEntriesResolveAsUrlClassPathResolvesThem() {
        Path jar = Path.of("/a b/lib/x.jar");
        assertEquals(Optional.of("/a b/lib/y.jar"), ClassPath.manifestEntry(jar, "y.jar"));
        assertEquals(Optional.of("/a b/z.jar"), ClassPath.manifestEntry(jar, "../z.jar"));
        assertEquals(Optional.of("/a b/lib/classes/"), ClassPath.manifestEntry(jar, "classes/"));
        assertEquals(Optional.of("/opt/q r.jar"), ClassPath.manifestEntry(jar, "file:/opt/q%20r.jar"));
        assertEquals(Optional.of("/opt/l.jar"), ClassPath.manifestEntry(jar, "file://localhost/opt/l.jar"));
        assertEquals(Optional.empty(), ClassPath.manifestEntry(jar, "file://elsewhere/opt/l.jar"));
        assertEquals(Optional.empty(), ClassPath.manifestEntry(jar, "https://example.org/x.jar"));
        assertEquals(Optional.empty(), ClassPath.manifestEntry(jar, "bad%zz.jar"));
        assertEquals(Optional.of("/root.jar"), ClassPath.manifestEntry(jar, "/root.jar"));
    }
}
