package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.Holding;
import dev.xraybatch.agent.export.Placement;
import dev.xraybatch.agent.export.RenderedDocuments;
import dev.xraybatch.agent.export.TraceWork;
import dev.xraybatch.agent.json.JsonWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The rendered documents held for one trace until its burst, kept within a byte limit. When they do not fit, the
 * least important go first ({@code trace.Kind}'s levels: samples, then AWS SDK calls, task and call summaries,
 * then Spark jobs and stages, last steps and anything failed; never a root), newest first, and never a piece of
 * work that a kept one names as its parent; work that holds less important entities is rendered again without
 * them. What is left out is counted per kind, with its total time, for the trace's root.
 *
 * <p>Memory held is what fits in the limit plus one piece of work. Confined to the export worker.
 */
final class HeldTrace {
    private static final int LEVELS = 5;

    /** One piece of work, as rendered for this trace. */
    static final class Item {
        final TraceWork work;
        final List<String> documents = new ArrayList<>(1);
        long bytes;
        long chars;
        int topLevel;
        int mostImportant = Integer.MAX_VALUE;
        int leastImportant;
        long[] ids = new long[0];
        long parentId;
        final Map<String, long[]> contents = new LinkedHashMap<>(4);
        /** The least important level it was last rendered with. */
        int renderedTo = Placement.ALL_LEVELS;

        Item(TraceWork work) {
            this.work = work;
        }

        int entities() {
            int count = 0;
            for (long[] kind : contents.values()) {
                count += (int) kind[0];
            }
            return count;
        }
    }

    private final List<Item> items = new ArrayList<>();
    /** Ids named as parent by held items, with how many name each. */
    private final Map<Long, int[]> named = new HashMap<>();
    private final int[] byMostImportant = new int[LEVELS];
    private final int[] byLeastImportant = new int[LEVELS];
    private final Map<String, long[]> leftOut = new LinkedHashMap<>();
    private long bytes;
    private long chars;
    private int documents;
    private int leftOutEntities;

    /** Renders {@code work} for {@code traceId}; null when it could not be rendered (already reported). */
    static Item render(TraceWork work, Placement placement, Map<String, long[]> leftOutOnRender) {
        final Item item = new Item(work);
        fill(item, placement, leftOutOnRender);
        return item.documents.isEmpty() ? null : item;
    }

    private static void fill(final Item item, Placement placement, final Map<String, long[]> leftOutOnRender) {
        item.documents.clear();
        item.contents.clear();
        item.bytes = 0L;
        item.chars = 0L;
        item.mostImportant = Integer.MAX_VALUE;
        item.leastImportant = 0;
        final List<long[]> ids = new ArrayList<>(1);
        final boolean[] first = {true};
        item.work.render(placement, new RenderedDocuments() {
            @Override
            public void document(Document document) {
                if (document.json == null || document.json.isEmpty()) {
                    return;
                }
                item.documents.add(document.json);
                item.bytes += JsonWriter.utf8Length(document.json);
                item.chars += document.json.length();
                if (first[0]) {
                    item.topLevel = document.topLevel;
                    item.parentId = document.parentId;
                    first[0] = false;
                }
                item.mostImportant = Math.min(item.mostImportant, document.mostImportantLevel);
                item.leastImportant = Math.max(item.leastImportant, document.leastImportantLevel);
                ids.add(document.ids);
                merge(item.contents, document.contents);
            }

            @Override
            public void leftOut(String kind, int count, long micros) {
                add(leftOutOnRender, kind, count, micros);
            }
        });
        int total = 0;
        for (long[] part : ids) {
            total += part.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] part : ids) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        item.ids = all;
        item.renderedTo = placement.maxLevel;
    }

    void add(Item item) {
        items.add(item);
        count(item, 1);
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    List<Item> items() {
        return items;
    }

    long bytes() {
        return bytes;
    }

    long chars() {
        return chars;
    }

    int documents() {
        return documents;
    }

    /** Ids of every entity held. */
    void collectIds(java.util.Set<Long> into) {
        for (Item item : items) {
            for (long id : item.ids) {
                into.add(id);
            }
        }
    }

    Map<String, long[]> leftOut() {
        return leftOut;
    }

    int leftOutEntities() {
        return leftOutEntities;
    }

    /** Counts what a render left out before the work was held (it never fitted at all). */
    void addLeftOut(Map<String, long[]> kinds) {
        for (Map.Entry<String, long[]> kind : kinds.entrySet()) {
            add(leftOut, kind.getKey(), (int) kind.getValue()[0], kind.getValue()[1]);
            leftOutEntities += (int) kind.getValue()[0];
        }
    }

    /** Forgets everything held (the exporter can never send). */
    void clear() {
        items.clear();
        named.clear();
        java.util.Arrays.fill(byMostImportant, 0);
        java.util.Arrays.fill(byLeastImportant, 0);
        bytes = 0L;
        chars = 0L;
        documents = 0;
    }

    /** Takes every item out, for sending (or moving to another trace); the left-out counts stay. */
    List<Item> takeAll() {
        List<Item> taken = new ArrayList<>(items);
        clear();
        return taken;
    }

    /**
     * Leaves out the least important until what is held takes at most {@code limitBytes}; tells {@code out} how
     * many documents and entities went. Returns false when even the most important work does not fit.
     */
    boolean fit(long limitBytes, String traceId, Holding.Outbox out) {
        for (int level = Kind.LEAST; level >= Kind.MOST_EVICTABLE && bytes > limitBytes; level--) {
            while (bytes > limitBytes) {
                Item whole = wholeCandidate(level);
                if (whole != null) {
                    leaveOut(whole, out);
                    continue;
                }
                Item shed = shedCandidate(level);
                if (shed == null) {
                    break;
                }
                renderWithout(shed, level, traceId, out);
            }
        }
        return bytes <= limitBytes;
    }

    /** The newest item whose every entity is at least this unimportant and that no held item names as parent. */
    private Item wholeCandidate(int level) {
        if (countAtLeast(byMostImportant, level) == 0) {
            return null;
        }
        for (int i = items.size() - 1; i >= 0; i--) {
            Item item = items.get(i);
            if (item.mostImportant >= level && !isNamed(item)) {
                return item;
            }
        }
        return null;
    }

    /** The newest item holding entities this unimportant beneath a more important top, not yet rendered without. */
    private Item shedCandidate(int level) {
        if (countAtLeast(byLeastImportant, level) == 0) {
            return null;
        }
        for (int i = items.size() - 1; i >= 0; i--) {
            Item item = items.get(i);
            if (item.leastImportant >= level && item.topLevel < level && item.renderedTo >= level) {
                return item;
            }
        }
        return null;
    }

    private void leaveOut(Item item, Holding.Outbox out) {
        items.remove(item);
        count(item, -1);
        for (Map.Entry<String, long[]> kind : item.contents.entrySet()) {
            add(leftOut, kind.getKey(), (int) kind.getValue()[0], kind.getValue()[1]);
        }
        int entities = item.entities();
        leftOutEntities += entities;
        out.leftOut(item.documents.size(), entities);
    }

    private void renderWithout(Item item, int level, String traceId, Holding.Outbox out) {
        count(item, -1);
        int before = item.documents.size();
        int entitiesBefore = item.entities();
        Map<String, long[]> shed = new LinkedHashMap<>();
        LongPredicate keep = new LongPredicate() {
            @Override
            public boolean test(long id) {
                return named.containsKey(id);
            }
        };
        try {
            fill(item, Placement.into(traceId).upToLevel(level - 1, keep), shed);
        } catch (RuntimeException e) {
            // Keep it as it was rendered: a budget must never cost a document.
            item.renderedTo = level - 1;
            count(item, 1);
            return;
        }
        count(item, 1);
        addLeftOut(shed);
        out.leftOut(before, entitiesBefore - item.entities());
        out.rendered(item.documents.size());
    }

    private boolean isNamed(Item item) {
        for (long id : item.ids) {
            if (named.containsKey(id)) {
                return true;
            }
        }
        return false;
    }

    private void count(Item item, int sign) {
        bytes += sign * item.bytes;
        chars += sign * item.chars;
        documents += sign * item.documents.size();
        byMostImportant[clamp(item.mostImportant)] += sign;
        byLeastImportant[clamp(item.leastImportant)] += sign;
        if (item.parentId != 0L) {
            int[] n = named.get(item.parentId);
            if (sign > 0) {
                if (n == null) {
                    named.put(item.parentId, new int[] {1});
                } else {
                    n[0]++;
                }
            } else if (n != null && --n[0] <= 0) {
                named.remove(item.parentId);
            }
        }
    }

    private static int countAtLeast(int[] counts, int level) {
        int n = 0;
        for (int l = clamp(level); l < LEVELS; l++) {
            n += counts[l];
        }
        return n;
    }

    private static int clamp(int level) {
        return level < 0 ? 0 : Math.min(level, LEVELS - 1);
    }

    static void merge(Map<String, long[]> into, Map<String, long[]> from) {
        if (from == null) {
            return;
        }
        for (Map.Entry<String, long[]> kind : from.entrySet()) {
            add(into, kind.getKey(), (int) kind.getValue()[0], kind.getValue()[1]);
        }
    }

    static void add(Map<String, long[]> counts, String kind, int count, long micros) {
        long[] n = counts.get(kind);
        if (n == null) {
            n = new long[2];
            counts.put(kind, n);
        }
        n[0] += count;
        n[1] += micros;
    }

    /** {@code {kind: {count, total_ms}}}, for a root's metadata. */
    static Map<String, Object> describe(Map<String, long[]> counts) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> kind : counts.entrySet()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("count", kind.getValue()[0]);
            one.put("total_ms", kind.getValue()[1] / 1000.0);
            out.put(kind.getKey(), one);
        }
        return out;
    }

    /** The levels of {@code trace.Kind}, as numbers (export does not depend on trace). */
    static final class Kind {
        /** Samples: left out first. */
        static final int LEAST = 4;
        /** Steps and anything failed: left out last. Roots (0) never are. */
        static final int MOST_EVICTABLE = 1;

        private Kind() {
        }
    }
}
