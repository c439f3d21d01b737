package dev.airlock.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The compiled file grants: every unrestricted FilePermission, indexed by the normalized path it
 * names, so that a decision looks up the requested path and each of its ancestors (a few hash
 * probes, however many grants there are) instead of testing every grant.
 *
 * <p>A grant {@code /a/b} (a plain file) can only imply {@code /a/b}; {@code /a/*} only
 * {@code /a/x} and {@code /a/*} itself; {@code /a/-} anything strictly below {@code /a}. So the
 * grants that can imply a request are found at the request's own path and at its ancestors. Each
 * path keeps, per kind of grant, the union of granted actions and, per action, the first
 * permission entry (in policy order) that grants it; accumulating actions across grants is what
 * the JDK's {@code FilePermissionCollection} does, so a read from one grant and a write from
 * another together allow read-and-write.
 *
 * <p>A decision is packed into a {@code long} (granted actions, rule index, root index) so that
 * the common path allocates nothing.
 */
final class FileIndex {

    static final int PLAIN = 0;
    static final int DIR = 1;
    static final int RECURSIVE = 2;

    /** The kind of an {@link Entry} of {@code <<ALL FILES>>} or AllPermission. */
    static final int ALL = 3;

    static final int NO_RULE = Integer.MAX_VALUE;

    /** Grants at one normalized path. */
    static final class Bucket {
        final String path;
        final int[] masks = new int[3];
        final int[][] firstRule = new int[3][];
        final int[] rootIndex = {-1, -1, -1};
        /** Per kind, each grant at this path in policy order; only denials read these. */
        final Entry[][] entries = {NO_ENTRIES, NO_ENTRIES, NO_ENTRIES};
        /** The plain grants of entries of this directory, in policy order; only denials read these. */
        Entry[] children = NO_ENTRIES;

        Bucket(String path) {
            this.path = path;
        }
    }

    /** One permission entry's grant, as written, for naming the closest grant of a denial. */
    static final class Entry {
        final int kind;
        final String path;
        final int actions;
        final int rule;

        Entry(int kind, String path, int actions, int rule) {
            this.kind = kind;
            this.path = path;
            this.actions = actions;
            this.rule = rule;
        }
    }

    private static final Entry[] NO_ENTRIES = new Entry[0];

    private final String[] keys;
    private final int[] hashes;
    private final Bucket[] buckets;
    private final int mask;

    private final int allFilesMask;
    private final int[] allFilesRule;
    private final int allFilesRoot;
    private final Entry[] allFilesEntries;

    /** Sorted, distinct grant roots. */
    final List<String> roots;

    private final int[] rootLength;

    private FileIndex(
            Map<String, Bucket> byPath,
            int allFilesMask,
            int[] allFilesRule,
            Entry[] allFilesEntries,
            List<String> roots) {
        int cap = Tables.capacityFor(byPath.size());
        keys = new String[cap];
        hashes = new int[cap];
        buckets = new Bucket[cap];
        mask = cap - 1;
        for (Bucket b : byPath.values()) {
            int h = b.path.hashCode();
            int i = Tables.spread(h) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = b.path;
            hashes[i] = h;
            buckets[i] = b;
        }
        this.allFilesMask = allFilesMask;
        this.allFilesRule = allFilesRule;
        this.allFilesEntries = allFilesEntries;
        this.roots = List.copyOf(roots);
        this.rootLength = new int[roots.size()];
        for (int i = 0; i < roots.size(); i++) {
            rootLength[i] = roots.get(i).length();
        }
        this.allFilesRoot = roots.indexOf("/");
    }

    /** Collects grants, then {@link #build()}s the index. */
    static final class Builder {
        private final Map<String, Bucket> byPath = new HashMap<>();
        private final List<Object[]> pending = new ArrayList<>();
        private int allFilesMask;
        private final int[] allFilesRule = newRules();
        private final List<Entry> entries = new ArrayList<>();

        /** Adds a grant of {@code actions} on {@code kind} at {@code path} from rule {@code rule}. */
        void add(int kind, String path, int actions, int rule) {
            Bucket b = byPath.computeIfAbsent(path, Bucket::new);
            b.masks[kind] |= actions;
            if (b.firstRule[kind] == null) {
                b.firstRule[kind] = newRules();
            }
            recordRule(b.firstRule[kind], actions, rule);
            pending.add(new Object[] {b, kind});
            entries.add(new Entry(kind, path, actions, rule));
        }

        /** Adds a grant of every path ({@code <<ALL FILES>>} or AllPermission). */
        void addAllFiles(int actions, int rule) {
            allFilesMask |= actions;
            recordRule(allFilesRule, actions, rule);
            entries.add(new Entry(ALL, "/", actions, rule));
        }

        FileIndex build() {
            TreeSet<String> rootSet = new TreeSet<>();
            if (allFilesMask != 0) {
                rootSet.add("/");
            }
            for (Object[] p : pending) {
                rootSet.add(rootOf((Bucket) p[0], (Integer) p[1]));
            }
            List<String> roots = new ArrayList<>(rootSet);
            Map<String, Integer> rootIndex = new HashMap<>();
            for (int i = 0; i < roots.size(); i++) {
                rootIndex.put(roots.get(i), i);
            }
            for (Object[] p : pending) {
                Bucket b = (Bucket) p[0];
                int kind = (Integer) p[1];
                b.rootIndex[kind] = rootIndex.get(rootOf(b, kind));
            }
            List<Entry> allFiles = new ArrayList<>();
            Map<Bucket, List<List<Entry>>> own = new HashMap<>();
            Map<String, List<Entry>> children = new HashMap<>();
            entries.sort(java.util.Comparator.comparingInt(e -> e.rule));
            for (Entry e : entries) {
                if (e.kind == ALL) {
                    allFiles.add(e);
                    continue;
                }
                own.computeIfAbsent(
                                byPath.get(e.path),
                                b -> List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()))
                        .get(e.kind)
                        .add(e);
                if (e.kind == PLAIN && !e.path.equals("/")) {
                    children.computeIfAbsent(FilePaths.parent(e.path), k -> new ArrayList<>())
                            .add(e);
                }
            }
            own.forEach((b, lists) -> {
                for (int kind = 0; kind < 3; kind++) {
                    b.entries[kind] = lists.get(kind).toArray(NO_ENTRIES);
                }
            });
            children.forEach(
                    (parent, list) -> byPath.computeIfAbsent(parent, Bucket::new).children = list.toArray(NO_ENTRIES));
            return new FileIndex(byPath, allFilesMask, allFilesRule, allFiles.toArray(NO_ENTRIES), roots);
        }

        private static String rootOf(Bucket b, int kind) {
            return kind == PLAIN ? FilePaths.parent(b.path) : b.path;
        }

        private static int[] newRules() {
            int[] r = new int[5];
            Arrays.fill(r, NO_RULE);
            return r;
        }

        private static void recordRule(int[] rules, int actions, int rule) {
            for (int bit = 0; bit < 5; bit++) {
                if ((actions & (1 << bit)) != 0 && rule < rules[bit]) {
                    rules[bit] = rule;
                }
            }
        }
    }

    /** Every grant, one per path and kind, in no particular order. */
    List<FileGrant> grants() {
        List<FileGrant> out = new ArrayList<>();
        if (allFilesMask != 0) {
            out.add(new FileGrant(FileGrant.Kind.ALL_FILES, "/", allFilesMask));
        }
        for (Bucket b : buckets) {
            if (b == null) {
                continue;
            }
            if (b.masks[PLAIN] != 0) {
                out.add(new FileGrant(FileGrant.Kind.FILE, b.path, b.masks[PLAIN]));
            }
            if (b.masks[DIR] != 0) {
                out.add(new FileGrant(FileGrant.Kind.ENTRIES, b.path, b.masks[DIR]));
            }
            if (b.masks[RECURSIVE] != 0) {
                out.add(new FileGrant(FileGrant.Kind.TREE, b.path, b.masks[RECURSIVE]));
            }
        }
        return out;
    }

    // ---- decisions ---------------------------------------------------------------------------

    /** Packs granted actions (bits 0-4), root index + 1 (bits 8-31) and rule index (bits 32-63). */
    static long pack(int granted, int root, int rule) {
        return ((long) rule << 32) | ((long) (root + 1) << 8) | granted;
    }

    static int granted(long packed) {
        return (int) (packed & 0xff);
    }

    static int root(long packed) {
        return (int) ((packed >>> 8) & 0xffffff) - 1;
    }

    static int rule(long packed) {
        return (int) (packed >>> 32);
    }

    /**
     * Decides a request for {@code desired} actions on the file named by {@code s}, a literal
     * name: grants that can imply it are {@code <<ALL FILES>>}, a recursive grant at one of its
     * strict ancestors, a directory ({@code /a/*}) grant at its parent, and a plain grant of
     * exactly {@code s}.
     *
     * @param s the normalized absolute path of the request
     * @param onlyAllFiles true for an invalid path, which only {@code <<ALL FILES>>} implies
     */
    long decide(String s, int desired, boolean onlyAllFiles) {
        int granted = 0;
        int rule = NO_RULE;
        int root = -1;
        if ((allFilesMask & desired) != 0) {
            granted |= allFilesMask;
            rule = firstRule(allFilesRule, desired, rule);
            root = allFilesRoot;
        }
        if (onlyAllFiles) {
            return pack(granted & desired, root, rule);
        }
        int len = s.length();
        // The parent's end in s: the last '/' (1 for a top-level name: the parent is "/"); none for "/".
        int parentEnd = -1;
        if (len > 1) {
            int slash = s.lastIndexOf('/');
            parentEnd = slash == 0 ? 1 : slash;
        }
        int h = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (i > 0 && c == '/') {
                // s[0, i) is a strict ancestor of the request.
                Bucket b = lookup(s, i, h);
                if (b != null) {
                    if ((b.masks[RECURSIVE] & desired) != 0) {
                        granted |= b.masks[RECURSIVE];
                        rule = firstRule(b.firstRule[RECURSIVE], desired, rule);
                        root = deeper(root, b.rootIndex[RECURSIVE]);
                    }
                    if (i == parentEnd && (b.masks[DIR] & desired) != 0) {
                        granted |= b.masks[DIR];
                        rule = firstRule(b.firstRule[DIR], desired, rule);
                        root = deeper(root, b.rootIndex[DIR]);
                    }
                }
            }
            h = 31 * h + c;
            if (i == 0 && len > 1) {
                // "/" is a strict ancestor too.
                Bucket b = lookup(s, 1, h);
                if (b != null) {
                    if ((b.masks[RECURSIVE] & desired) != 0) {
                        granted |= b.masks[RECURSIVE];
                        rule = firstRule(b.firstRule[RECURSIVE], desired, rule);
                        root = deeper(root, b.rootIndex[RECURSIVE]);
                    }
                    if (parentEnd == 1 && (b.masks[DIR] & desired) != 0) {
                        granted |= b.masks[DIR];
                        rule = firstRule(b.firstRule[DIR], desired, rule);
                        root = deeper(root, b.rootIndex[DIR]);
                    }
                }
            }
        }
        Bucket self = lookup(s, len, h);
        if (self != null && (self.masks[PLAIN] & desired) != 0) {
            granted |= self.masks[PLAIN];
            rule = firstRule(self.firstRule[PLAIN], desired, rule);
            root = deeper(root, self.rootIndex[PLAIN]);
        }
        return pack(granted & desired, root, rule);
    }

    // ---- the closest grant of a denial -------------------------------------------------------

    /**
     * The grant that came closest to allowing a denied request for {@code desired} on {@code s},
     * of which the grants together gave {@code granted}; null when no grant is near. Only denials
     * call this, so it may allocate. The definition (docs/ARCHITECTURE.md repeats it):
     *
     * <ol>
     *   <li>A grant whose target covers the path (as {@link #decide} matches it) but that lacks a
     *       requested action: the most specific target first (the file itself, then the entries of
     *       its directory, then the deepest tree, then {@code <<ALL FILES>>}); the sentence names
     *       the requested actions that no grant gave.
     *   <li>Else a grant whose target names the path in another form or stops short of it, nearest
     *       first by the directory the two have in common (the deepest): {@code /a/b/*} or
     *       {@code /a/b/-} for {@code /a/b} itself; the plain name of an ancestor; {@code /a/*} for
     *       something deeper than the entries of {@code /a}; another file of the same directory.
     *   <li>Else none (and none for an invalid path but {@code <<ALL FILES>>}).
     * </ol>
     *
     * Ties go to the grant with more of the requested actions, then to the first in policy order,
     * so the answer is deterministic.
     */
    ClosestGrant closest(String s, int desired, int granted, boolean onlyAllFiles, String[] rules) {
        if (allFilesEntries.length == 0 && (onlyAllFiles || !anyBucketOnTheWay(s))) {
            // Nothing is granted on the path or any ancestor: no grant is near, and finding that
            // out allocated nothing.
            return null;
        }
        int missing = desired & ~granted;
        Near best = new Near();
        // 1: grants that cover the path.
        for (Entry e : allFilesEntries) {
            best.offer(e, -1, desired, null);
        }
        if (!onlyAllFiles) {
            List<String> ancestors = ancestors(s);
            String parent = ancestors.isEmpty() ? null : ancestors.get(ancestors.size() - 1);
            for (String a : ancestors) {
                Bucket b = lookup(a, a.length(), a.hashCode());
                if (b != null) {
                    for (Entry e : b.entries[RECURSIVE]) {
                        best.offer(e, a.length(), desired, null);
                    }
                    if (a.equals(parent)) {
                        for (Entry e : b.entries[DIR]) {
                            best.offer(e, Integer.MAX_VALUE - 1, desired, null);
                        }
                    }
                }
            }
            Bucket self = lookup(s, s.length(), s.hashCode());
            if (self != null) {
                for (Entry e : self.entries[PLAIN]) {
                    best.offer(e, Integer.MAX_VALUE, desired, null);
                }
            }
            if (best.entry == null) {
                // 2: grants that name the path otherwise or stop short of it.
                if (self != null) {
                    for (Entry e : self.entries[DIR]) {
                        best.offer(e, s.length(), desired, "on the entries of " + s + ", not on " + s + " itself");
                    }
                    for (Entry e : self.entries[RECURSIVE]) {
                        best.offer(e, s.length(), desired, "beneath " + s + ", not on " + s + " itself");
                    }
                }
                for (String a : ancestors) {
                    Bucket b = lookup(a, a.length(), a.hashCode());
                    if (b == null) {
                        continue;
                    }
                    for (Entry e : b.entries[PLAIN]) {
                        best.offer(e, a.length(), desired, "on " + a + " itself, not on what is beneath it");
                    }
                    if (!a.equals(parent)) {
                        for (Entry e : b.entries[DIR]) {
                            best.offer(
                                    e,
                                    a.length(),
                                    desired,
                                    "on the entries of " + a + ", not on " + s + ": the * covers one level");
                        }
                    } else {
                        for (Entry e : b.children) {
                            if (!e.path.equals(s)) {
                                best.offer(e, a.length(), desired, "on " + e.path + ", not on its sibling " + s);
                            }
                        }
                    }
                }
            }
        }
        if (best.entry == null) {
            return null;
        }
        Entry e = best.entry;
        String actions = FileActions.toString(e.actions);
        String why = best.why != null
                ? "grants " + actions + " " + best.why
                : "grants " + actions + ", not " + FileActions.toString(missing);
        return new ClosestGrant(rules[e.rule], target(e.kind, e.path), actions, why);
    }

    /** Whether the index has a bucket at {@code s} or at one of its ancestors, without allocating. */
    private boolean anyBucketOnTheWay(String s) {
        int h = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (i > 0 && c == '/' && lookup(s, i, h) != null) {
                return true;
            }
            h = 31 * h + c;
            if (i == 0 && lookup(s, 1, h) != null) {
                return true;
            }
        }
        return lookup(s, s.length(), h) != null;
    }

    /** The best candidate so far: the nearest, then the one with more requested actions, then the first rule. */
    private static final class Near {
        Entry entry;
        int nearness;
        int overlap;
        String why;

        void offer(Entry e, int nearness, int desired, String why) {
            int overlap = Integer.bitCount(e.actions & desired);
            if (entry == null
                    || nearness > this.nearness
                    || (nearness == this.nearness
                            && (overlap > this.overlap || (overlap == this.overlap && e.rule < entry.rule)))) {
                this.entry = e;
                this.nearness = nearness;
                this.overlap = overlap;
                this.why = why;
            }
        }
    }

    /** The strict ancestors of a normalized absolute path, {@code /} first, its parent last. */
    private static List<String> ancestors(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 1) {
            out.add("/");
            for (int i = 1; i < s.length(); i++) {
                if (s.charAt(i) == '/') {
                    out.add(s.substring(0, i));
                }
            }
        }
        return out;
    }

    /** A grant's target as the policy means it: {@code /a/b}, {@code /a/b/*}, {@code /a/b/-} or {@code <<ALL FILES>>}. */
    static String target(int kind, String path) {
        String dir = path.equals("/") ? "/" : path + "/";
        return switch (kind) {
            case PLAIN -> path;
            case DIR -> dir + "*";
            case RECURSIVE -> dir + "-";
            default -> "<<ALL FILES>>";
        };
    }

    private int deeper(int current, int candidate) {
        if (current < 0 || rootLength[candidate] > rootLength[current]) {
            return candidate;
        }
        return current;
    }

    private static int firstRule(int[] rules, int desired, int current) {
        int r = current;
        for (int bit = 0; bit < 5; bit++) {
            if ((desired & (1 << bit)) != 0 && rules[bit] < r) {
                r = rules[bit];
            }
        }
        return r;
    }

    private Bucket lookup(String s, int len, int h) {
        int i = Tables.spread(h) & mask;
        while (true) {
            String k = keys[i];
            if (k == null) {
                return null;
            }
            if (hashes[i] == h && k.length() == len && k.regionMatches(0, s, 0, len)) {
                return buckets[i];
            }
            i = (i + 1) & mask;
        }
    }
}
