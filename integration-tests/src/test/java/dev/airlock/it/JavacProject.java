package dev.airlock.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a Java project that javac compiles without a warning, for running a real program not
 * written for Airlock (javac) under the sandbox: {@value #PACKAGES} packages of {@value #FILES_PER_PACKAGE}
 * sources each, with an interface hierarchy across the packages, an enum with constant bodies, a
 * generic record, generic classes that extend classes of other packages, static nested, inner and
 * anonymous classes, lambdas, enum switches and references between classes of every package, so
 * javac has to find, read and write a realistic number of files of every kind.
 *
 * <p>The output depends on nothing but {@link #SEED}: no timestamps, no hash ordering, {@link Random}
 * (whose algorithm is specified), so every run and every JDK writes the same bytes. Used by
 * {@code JavacIT} and, as a source-file program, by {@code bench/javac.sh}:
 * {@code java integration-tests/src/test/java/dev/airlock/it/JavacProject.java DIR} writes the sources
 * under {@code DIR} and prints their paths, one a line, in compile order.
 */
final class JavacProject {
    static final long SEED = 5;
    static final int PACKAGES = 15;
    static final int FILES_PER_PACKAGE = 20;
    /** Each package holds Layer, Mode and Pair; the rest are classes C00, C01, ... */
    static final int CLASSES_PER_PACKAGE = FILES_PER_PACKAGE - 3;

    private static final String[] MODES = {"FAST", "SLOW", "EXACT"};

    private JavacProject() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java JavacProject.java DIR");
            System.exit(2);
        }
        for (Path source : generate(Path.of(args[0]))) {
            System.out.println(source);
        }
    }

    /** Writes the project under {@code root} (created if missing) and returns its sources in compile order. */
    static List<Path> generate(Path root) throws IOException {
        Random random = new Random(SEED);
        List<Path> sources = new ArrayList<>();
        for (int p = 0; p < PACKAGES; p++) {
            Path dir = Files.createDirectories(root.resolve("gen").resolve(pkg(p)));
            sources.add(write(dir.resolve("Layer.java"), layer(p)));
            sources.add(write(dir.resolve("Mode.java"), mode(p, random)));
            sources.add(write(dir.resolve("Pair.java"), pair(p)));
            for (int c = 0; c < CLASSES_PER_PACKAGE; c++) {
                sources.add(write(dir.resolve(cls(c) + ".java"), type(p, c, random)));
            }
        }
        return sources;
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String pkg(int p) {
        return String.format("p%02d", p);
    }

    private static String cls(int c) {
        return String.format("C%02d", c);
    }

    private static String qualified(int p, int c) {
        return "gen." + pkg(p) + "." + cls(c);
    }

    /** Level {@code p} of an interface hierarchy that runs through every package. */
    private static String layer(int p) {
        StringBuilder s = new StringBuilder();
        s.append("package gen.").append(pkg(p)).append(";\n\n");
        s.append("/** Level ").append(p).append(" of the layer hierarchy. */\n");
        if (p == 0) {
            s.append("public interface Layer<T extends Comparable<T>> {\n");
            s.append("    int weight(T value);\n\n");
            s.append("    default int depth() {\n        return 0;\n    }\n\n");
            s.append("    default <R> R fold(T value, java.util.function.BiFunction<Integer, T, R> f) {\n");
            s.append("        return f.apply(depth() + weight(value), value);\n    }\n\n");
            s.append("    static <T extends Comparable<T>> T max(T a, T b) {\n");
            s.append("        return a.compareTo(b) >= 0 ? a : b;\n    }\n");
        } else {
            String parent = "gen." + pkg(p - 1) + ".Layer";
            s.append("public interface Layer<T extends Comparable<T>> extends ")
                    .append(parent)
                    .append("<T> {\n");
            s.append("    @Override\n    default int depth() {\n");
            s.append("        return 1 + ").append(parent).append(".super.depth();\n    }\n\n");
            s.append("    default T heavier(T a, T b) {\n");
            s.append("        return weight(a) >= weight(b) ? a : gen.p00.Layer.max(a, b);\n    }\n");
        }
        s.append("}\n");
        return s.toString();
    }

    /** An enum whose constants have bodies, so each compiles to a class of its own. */
    private static String mode(int p, Random random) {
        StringBuilder s = new StringBuilder();
        s.append("package gen.").append(pkg(p)).append(";\n\n");
        s.append("/** How the classes of package ").append(p).append(" weigh values. */\n");
        s.append("public enum Mode implements java.util.function.IntUnaryOperator {\n");
        for (int m = 0; m < MODES.length; m++) {
            s.append("    ").append(MODES[m]).append("(").append(m + 1).append(") {\n");
            s.append("        @Override\n        public int applyAsInt(int x) {\n");
            s.append("            return x * ")
                    .append(1 + random.nextInt(9))
                    .append(" + ")
                    .append(random.nextInt(100))
                    .append(";\n");
            s.append("        }\n    }").append(m == MODES.length - 1 ? ";\n\n" : ",\n");
        }
        s.append("    private final int cost;\n\n");
        s.append("    Mode(int cost) {\n        this.cost = cost;\n    }\n\n");
        s.append("    public int cost() {\n        return cost;\n    }\n\n");
        s.append("    public Mode next() {\n        return values()[(ordinal() + 1) % values().length];\n    }\n");
        s.append("}\n");
        return s.toString();
    }

    private static String pair(int p) {
        return "package gen." + pkg(p) + ";\n\n"
                + "/** Two values, checked and re-paired. */\n"
                + "public record Pair<A, B>(A first, B second) {\n"
                + "    public Pair {\n"
                + "        java.util.Objects.requireNonNull(first, \"first\");\n"
                + "    }\n\n"
                + "    public <C> Pair<A, C> withSecond(C value) {\n"
                + "        return new Pair<>(first, value);\n"
                + "    }\n"
                + "}\n";
    }

    /**
     * A generic class of package {@code p}; a third of them (outside package 0) extend a class of
     * an earlier package, so the class hierarchy stays acyclic while references go everywhere.
     */
    private static String type(int p, int c, Random random) {
        String name = cls(c);
        String superclass = null;
        if (p > 0 && random.nextInt(3) == 0) {
            superclass = qualified(random.nextInt(p), random.nextInt(CLASSES_PER_PACKAGE));
        }
        StringBuilder s = new StringBuilder();
        s.append("package gen.").append(pkg(p)).append(";\n\n");
        s.append(
                "import java.util.ArrayList;\nimport java.util.List;\nimport java.util.function.Function;\nimport java.util.function.IntSupplier;\n\n");
        s.append("/** Generated class ")
                .append(name)
                .append(" of package ")
                .append(p)
                .append(". */\n");
        s.append("public class ").append(name).append("<T extends Comparable<T>>");
        if (superclass != null) {
            s.append(" extends ").append(superclass).append("<T>");
        }
        s.append(" implements Layer<T> {\n");
        s.append("    public static final int SEED = ")
                .append(random.nextInt(100_000))
                .append(";\n\n");
        s.append("    private final List<T> items = new ArrayList<>();\n");
        s.append("    protected final Mode mode;\n\n");
        s.append("    public ")
                .append(name)
                .append("() {\n        this(Mode.")
                .append(MODES[random.nextInt(MODES.length)])
                .append(");\n    }\n\n");
        s.append("    public ").append(name).append("(Mode mode) {\n        this.mode = mode;\n    }\n\n");
        s.append("    public void add(T value) {\n        items.add(value);\n    }\n\n");
        s.append("    @Override\n    public int weight(T value) {\n");
        s.append("        return Math.floorMod(value.hashCode(), ")
                .append(2 + random.nextInt(20))
                .append(") + mode.applyAsInt(SEED % 13);\n    }\n\n");
        s.append("    public <R> List<R> map(Function<? super T, ? extends R> f) {\n");
        s.append("        List<R> out = new ArrayList<>();\n");
        s.append("        for (T item : items) {\n            out.add(f.apply(item));\n        }\n");
        s.append("        return out;\n    }\n\n");
        // A classic enum switch: javac writes a synthetic switch-map class for it.
        s.append("    public int score() {\n        switch (mode) {\n");
        for (String m : MODES) {
            s.append("            case ")
                    .append(m)
                    .append(":\n                return ")
                    .append(random.nextInt(1000))
                    .append(";\n");
        }
        s.append("            default:\n                return -1;\n        }\n    }\n\n");
        s.append("    public String label() {\n        return switch (mode) {\n");
        for (String m : MODES) {
            s.append("            case ")
                    .append(m)
                    .append(" -> \"")
                    .append(m.toLowerCase(java.util.Locale.ROOT))
                    .append(p)
                    .append("\";\n");
        }
        s.append("        };\n    }\n\n");
        s.append("    public static int twice(int x) {\n        return x * 2 + SEED;\n    }\n\n");
        s.append("    public int links() {\n        int sum = SEED;\n");
        int links = 3 + random.nextInt(4);
        for (int i = 0; i < links; i++) {
            String target = qualified(random.nextInt(PACKAGES), random.nextInt(CLASSES_PER_PACKAGE));
            String targetPackage = target.substring(0, target.lastIndexOf('.'));
            switch (random.nextInt(5)) {
                case 0 -> s.append("        sum += ").append(target).append(".SEED;\n");
                case 1 ->
                    s.append("        sum += ")
                            .append(target)
                            .append(".twice(")
                            .append(i)
                            .append(");\n");
                case 2 ->
                    s.append("        sum += new ")
                            .append(target)
                            .append("<String>().weight(\"k")
                            .append(i)
                            .append("\");\n");
                case 3 ->
                    s.append("        sum += new ")
                            .append(target)
                            .append(".Builder<Integer>().with(")
                            .append(i)
                            .append(").build().score();\n");
                default ->
                    s.append("        sum += ")
                            .append(targetPackage)
                            .append(".Mode.")
                            .append(MODES[random.nextInt(MODES.length)])
                            .append(".next().cost();\n");
            }
        }
        s.append("        return sum;\n    }\n\n");
        // Private, so a subclass's own cursor() and pair() (of its own package's types) do not clash.
        s.append("    private Cursor cursor() {\n        return new Cursor();\n    }\n\n");
        s.append("    private Pair<String, T> pair(T value) {\n        return new Pair<>(label(), value);\n    }\n\n");
        s.append("    public int summary(T value) {\n        int n = 0;\n");
        s.append("        for (Cursor c = cursor(); c.hasNext(); c.next()) {\n            n++;\n        }\n");
        s.append(
                "        return n + pair(value).withSecond(depth()).second() + fold(value, (d, v) -> d + v.hashCode());\n    }\n\n");
        s.append("    public Runnable task(int[] box) {\n        return new Runnable() {\n");
        s.append(
                "            @Override\n            public void run() {\n                box[0] += SEED + items.size();\n            }\n        };\n    }\n\n");
        s.append("    public IntSupplier lazy() {\n        return () -> links() + mode.applyAsInt(SEED);\n    }\n\n");
        s.append("    public static int check(Object o) {\n");
        s.append("        if (o instanceof ")
                .append(name)
                .append("<?> c) {\n            return c.items.size();\n        }\n");
        s.append("        return -1;\n    }\n\n");
        s.append("    /** Builds an instance from values. */\n");
        s.append("    public static final class Builder<B extends Comparable<B>> {\n");
        s.append("        private final List<B> pending = new ArrayList<>();\n\n");
        s.append(
                "        public Builder<B> with(B value) {\n            pending.add(value);\n            return this;\n        }\n\n");
        s.append("        public ").append(name).append("<B> build() {\n");
        s.append("            ")
                .append(name)
                .append("<B> built = new ")
                .append(name)
                .append("<>();\n");
        s.append("            pending.forEach(built::add);\n            return built;\n        }\n    }\n\n");
        s.append("    /** Walks this instance's items. */\n");
        s.append("    public final class Cursor implements java.util.Iterator<T> {\n");
        s.append("        private int position;\n\n");
        s.append(
                "        @Override\n        public boolean hasNext() {\n            return position < items.size();\n        }\n\n");
        s.append(
                "        @Override\n        public T next() {\n            return items.get(position++);\n        }\n    }\n");
        s.append("}\n");
        return s.toString();
    }
}
