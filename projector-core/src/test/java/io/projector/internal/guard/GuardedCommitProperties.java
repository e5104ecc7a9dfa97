package io.projector.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ItemKey;
import io.projector.Write;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.InMemoryReadModel;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The guarded commit's conditions alone keep the read model exact: two shard lineages (a parent
 * rolled over to a child each) feed copies, counters shared by both lineages and a set item; each
 * shard is read in windows cut at random; a window's requests land in random order, some twice
 * (a retry whose answer was lost); an owner crashes after a random subset of a window's requests
 * and its successor starts again from the last progress mark, cutting windows differently; and
 * stale owners send old windows again at random moments, a parent's even after its child started.
 * Half the windows go packed into transactions (all of a pack or none), a refused pack one write at a time.
 * The read model always equals applying every write once, and no deleted item comes back.
 */
class GuardedCommitProperties {

    private static final int KEYS = 5;
    private static final long PARENT_TIME = 1_796_085_584_262L;

    @Property(tries = 300)
    void everyWriteLandsOnceWhateverTheCrashesRetriesAndStaleOwners(@ForAll long seed) {
        Random random = new Random(seed);
        List<List<Shard>> lineages = List.of(lineage(0, random), lineage(1, random));

        InMemoryReadModel expected = new InMemoryReadModel();
        for (List<Shard> lineage : lineages) {
            for (Shard shard : lineage) {
                shard.records().forEach(r -> project(r).forEach(expected::apply));
            }
        }

        GuardedTable table = new GuardedTable();
        GuardedSender sender = new GuardedSender(table);
        List<GuardedWindow> sent = new ArrayList<>();
        int[] next = {0, 0};
        int[] progress = {0, 0};
        while (next[0] < 2 || next[1] < 2) {
            int l = next[0] >= 2 ? 1 : next[1] >= 2 ? 0 : random.nextInt(2);
            Shard shard = lineages.get(l).get(next[l]);
            int from = progress[l];
            int to = Math.min(shard.records().size(), from + 1 + random.nextInt(6));
            GuardedWindow window = new GuardedWindow(shard.id());
            shard.records().subList(from, to).forEach(r -> project(r).forEach(w -> window.add(r.sequence().toString(), w)));
            sent.add(window);
            List<GuardedWrite> writes = new ArrayList<>(window.writes());
            Collections.shuffle(writes, random);
            boolean crash = random.nextInt(4) == 0;
            int landing = crash ? random.nextInt(writes.size() + 1) : writes.size();
            if (random.nextBoolean()) {
                // Packed: the same writes in transactions of random sizes, some sent twice; a pack refused by a
                // condition goes again one write at a time.
                List<GuardedWrite> landed = writes.subList(0, landing);
                for (int i = 0; i < landed.size(); ) {
                    int end = Math.min(landed.size(), i + 1 + random.nextInt(4));
                    List<GuardedWrite> pack = landed.subList(i, end);
                    sender.send(pack, java.util.Map.of(), TransientErrors::isConditionFailure);
                    if (random.nextInt(5) == 0) {
                        sender.send(pack, java.util.Map.of(), TransientErrors::isConditionFailure);
                    }
                    i = end;
                }
            } else {
                for (GuardedWrite w : writes.subList(0, landing)) {
                    sender.send(w);
                    if (random.nextInt(5) == 0) {
                        sender.send(w);
                    }
                }
            }
            if (!crash) {
                progress[l] = to;
            }
            if (progress[l] == shard.records().size()) {
                next[l]++;
                progress[l] = 0;
            }
            if (random.nextInt(3) == 0) {
                GuardedWindow stale = sent.get(random.nextInt(sent.size()));
                List<GuardedWrite> old = new ArrayList<>(stale.writes());
                Collections.shuffle(old, random);
                old.subList(0, random.nextInt(old.size() + 1)).forEach(sender::send);
            }
        }
        // Stale owners keep sending after everything was applied.
        for (int i = 0; i < 5; i++) {
            sent.get(random.nextInt(sent.size())).writes().forEach(sender::send);
        }

        assertThat(table.visible()).isEqualTo(expected.items());
    }

    @Property(tries = 200)
    void theEncodedPositionSortsAsThePosition(@ForAll @LongRange(max = 99_999_999_999_999L) long t1, @ForAll @IntRange(max = 1_000_000) int s1,
            @ForAll @LongRange(max = 99_999_999_999_999L) long t2, @ForAll @IntRange(max = 1_000_000) int s2) {
        BigInteger big = new BigInteger("1000000000000000000000");
        StreamPosition a = new StreamPosition(t1, big.add(BigInteger.valueOf(s1)));
        StreamPosition b = new StreamPosition(t2, BigInteger.valueOf(s2));
        assertThat(Integer.signum(a.encoded().compareTo(b.encoded()))).isEqualTo(Integer.signum(a.compareTo(b)));
    }

    @Test
    void aWindowRefusesAnItemWrittenBothAsACopyAndAsACounter() {
        GuardedWindow window = new GuardedWindow(shardId(PARENT_TIME, 0));
        window.add("100", Write.put("P", "S").with("v", 1));
        assertThatThrownBy(() -> window.add("101", Write.increment("P", "S", "n", 1)))
                .isInstanceOf(MixedWriteStylesException.class)
                .hasMessageContaining("item P | S").hasMessageContaining("one kind per item");
    }

    @Test
    void aShardIdWithoutItsCreationTimeIsRefusedByName() {
        assertThatThrownBy(() -> StreamPosition.of("shardId-1", "12"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'shardId-1'");
        assertThatThrownBy(() -> new GuardedWindow("shardId-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'shardId-1'");
    }

    /** The toy projection: a copy per source key, two counters fed by every key, a set item per lineage. */
    private static List<Write> project(Record r) {
        String group = "g" + r.key() % 3;
        if (r.value() == null) {
            return List.of(Write.delete("COPY#" + r.key(), "1"),
                    Write.increment("COUNT#all", "1", "live", -1),
                    Write.increment("COUNT#" + group, "1", "deletes", 1));
        }
        return List.of(Write.put("COPY#" + r.key(), "1").with("value", r.value()).with("group", group),
                Write.increment("COUNT#all", "1", "live", r.created() ? 1 : 0).and("changes", 1),
                Write.increment("COUNT#" + group, "1", "puts", 1),
                Write.set("LAST#" + r.lineage(), "1").with("key", r.key()).with("value", r.value()));
    }

    private static List<Shard> lineage(int l, Random random) {
        List<Record> all = new ArrayList<>();
        boolean[] exists = new boolean[KEYS];
        long sequence = 1000L * (l + 1);
        int n = 4 + random.nextInt(30);
        for (int i = 0; i < n; i++) {
            int key = l + 2 * random.nextInt((KEYS + 1 - l) / 2);
            sequence += 1 + random.nextInt(3);
            if (exists[key] && random.nextInt(4) == 0) {
                all.add(new Record(l, key, null, false, BigInteger.valueOf(sequence)));
                exists[key] = false;
            } else {
                all.add(new Record(l, key, "v" + i, !exists[key], BigInteger.valueOf(sequence)));
                exists[key] = true;
            }
        }
        int split = 1 + random.nextInt(n - 1);
        return List.of(new Shard(shardId(PARENT_TIME, l), all.subList(0, split)),
                new Shard(shardId(PARENT_TIME + 14_400_000L, l), all.subList(split, n)));
    }

    private static String shardId(long created, int lineage) {
        return String.format("shardId-%020d-%08x", created, 0xabc0 + lineage);
    }

    private record Shard(String id, List<Record> records) {
    }

    /** A change of source key {@code key}: its new value, or null for a removal. */
    private record Record(int lineage, int key, String value, boolean created, BigInteger sequence) {
    }
}
