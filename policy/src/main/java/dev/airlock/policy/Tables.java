package dev.airlock.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Small immutable open-addressing hash tables that answer lookups for a region of a string, or a
 * pair of longs, without allocating. Built once by the policy compiler, read by many threads.
 */
final class Tables {

    private Tables() {}

    static int capacityFor(int entries) {
        int cap = 4;
        while (cap < entries * 2 + 2) {
            cap <<= 1;
        }
        return cap;
    }

    static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** The fold used for case-insensitive keys: equal for characters {@code equalsIgnoreCase}
     * treats as equal. */
    static int foldHash(String s, int from, int to) {
        int h = 0;
        int i = from;
        while (i < to) {
            int cp = Character.codePointAt(s, i);
            if (Character.isSupplementaryCodePoint(cp) && i + 1 < to) {
                i += 2;
            } else {
                cp = s.charAt(i);
                i++;
            }
            h = 31 * h + Character.toLowerCase(Character.toUpperCase(cp));
        }
        return h;
    }

    /** Case-insensitive string keys to values. */
    static final class CaseInsensitive<V> {
        private final String[] keys;
        private final int[] hashes;
        private final Object[] values;
        private final int mask;

        CaseInsensitive(List<String> keyList, List<V> valueList) {
            int cap = capacityFor(keyList.size());
            keys = new String[cap];
            hashes = new int[cap];
            values = new Object[cap];
            mask = cap - 1;
            for (int k = 0; k < keyList.size(); k++) {
                String key = keyList.get(k);
                int h = foldHash(key, 0, key.length());
                int i = spread(h) & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                hashes[i] = h;
                values[i] = valueList.get(k);
            }
        }

        @SuppressWarnings("unchecked")
        V get(String s, int from, int to) {
            int h = foldHash(s, from, to);
            int len = to - from;
            int i = spread(h) & mask;
            while (true) {
                String k = keys[i];
                if (k == null) {
                    return null;
                }
                if (hashes[i] == h && k.length() == len && s.regionMatches(true, from, k, 0, len)) {
                    return (V) values[i];
                }
                i = (i + 1) & mask;
            }
        }
    }

    /** Keys of two longs to values. */
    static final class LongPair<V> {
        private final long[] his;
        private final long[] los;
        private final boolean[] used;
        private final Object[] values;
        private final int mask;

        LongPair(List<long[]> keyList, List<V> valueList) {
            int cap = capacityFor(keyList.size());
            his = new long[cap];
            los = new long[cap];
            used = new boolean[cap];
            values = new Object[cap];
            mask = cap - 1;
            for (int k = 0; k < keyList.size(); k++) {
                long hi = keyList.get(k)[0];
                long lo = keyList.get(k)[1];
                int i = slot(hi, lo);
                while (used[i]) {
                    i = (i + 1) & mask;
                }
                used[i] = true;
                his[i] = hi;
                los[i] = lo;
                values[i] = valueList.get(k);
            }
        }

        private int slot(long hi, long lo) {
            long x = hi * 0x9E3779B97F4A7C15L + lo;
            x ^= x >>> 29;
            x *= 0xBF58476D1CE4E5B9L;
            return spread((int) (x ^ (x >>> 32))) & mask;
        }

        @SuppressWarnings("unchecked")
        V get(long hi, long lo) {
            int i = slot(hi, lo);
            while (used[i]) {
                if (his[i] == hi && los[i] == lo) {
                    return (V) values[i];
                }
                i = (i + 1) & mask;
            }
            return null;
        }
    }

    /** Groups values by key, keeping first-seen key order. */
    static final class Grouping<K, V> {
        final List<K> keys = new ArrayList<>();
        final List<List<V>> groups = new ArrayList<>();
        private final java.util.Map<Object, Integer> index = new java.util.HashMap<>();

        void add(Object identity, K key, V value) {
            Integer at = index.get(identity);
            if (at == null) {
                at = keys.size();
                index.put(identity, at);
                keys.add(key);
                groups.add(new ArrayList<>());
            }
            groups.get(at).add(value);
        }
    }
}
