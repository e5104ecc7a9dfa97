package io.projector.internal.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ItemKey;
import io.projector.Write;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.ItemMutation;
import io.projector.internal.plan.TransactionLimits;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** Guarded writes packed into transactions: cut by count and bytes; a pack refused by a condition resent one write at a time. */
class GuardedPacksTest {

    private static final String SHARD = "shardId-00000001796085584262-0000abc0";
    private final GuardedRequests requests = new GuardedRequests("read-model");

    @Test
    void packsHoldAtMostAHundredWrites() {
        List<GuardedWrite> writes = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            writes.add(copy("ITEM#" + i, 10 + i, "small"));
        }
        List<List<GuardedWrite>> packs = GuardedPacks.cut(writes, TransactionLimits.DYNAMODB, requests::bytes);
        assertThat(packs).extracting(List::size).containsExactly(100, 100, 50);
        assertThat(packs.stream().flatMap(List::stream).toList()).isEqualTo(writes);
    }

    @Test
    void packsStayUnderTheRequestBytesAndALargeWriteGoesAlone() {
        List<GuardedWrite> writes = new ArrayList<>();
        String large = "x".repeat(390_000);
        for (int i = 0; i < 30; i++) {
            writes.add(copy("BIG#" + i, 10 + i, large));
        }
        writes.add(copy("SMALL", 99, "small"));
        List<List<GuardedWrite>> packs = GuardedPacks.cut(writes, TransactionLimits.DYNAMODB, requests::bytes);
        assertThat(packs).allSatisfy(p -> assertThat(p.stream().mapToLong(requests::bytes).sum()).isLessThanOrEqualTo(3_500_000));
        // 390 KB each: eight fit under 3.5 MB, the ninth opens a new pack.
        assertThat(packs).extracting(List::size).containsExactly(8, 8, 8, 7);
        assertThat(requests.bytes(writes.get(0))).isGreaterThan(390_000);

        List<List<GuardedWrite>> tight = GuardedPacks.cut(writes.subList(0, 3), new TransactionLimits(2, 1_000), requests::bytes);
        assertThat(tight).extracting(List::size).containsExactly(1, 1, 1);
    }

    @Test
    void aPackRefusedByAConditionIsSentAgainWriteByWriteAndEndsExact() {
        GuardedTable table = new GuardedTable();
        GuardedSender sender = new GuardedSender(table);
        // Landed earlier (a crash after part of a window): the copy of A at position 20, steps 1 and 2 of the counter.
        sender.send(copy("A", 20, "a20"));
        sender.send(counter(1, 2));

        // The window again, packed: A at 20 (already there), B new, the counter's steps 1 to 4 (two already there).
        List<GuardedWrite> pack = List.of(copy("A", 20, "a20"), copy("B", 21, "b21"), counter(1, 4));
        List<GuardedSender.Sent> sent = sender.send(pack, Map.of(), TransientErrors::isConditionFailure);

        assertThat(table.packs()).isEqualTo(1);
        assertThat(sent).extracting(GuardedSender.Sent::refused).containsExactly(1, 0, 1);
        Map<ItemKey, Map<String, AttributeValue>> items = table.visible();
        assertThat(items.get(key("A")).get("v").s()).isEqualTo("a20");
        assertThat(items.get(key("B")).get("v").s()).isEqualTo("b21");
        // 1 + 2 + 3 + 4, each step once.
        assertThat(items.get(key("COUNT")).get("n").n()).isEqualTo("10");

        // The same pack once more (a stale owner): refused whole, then write by write, and nothing changes.
        sender.send(pack, Map.of(), TransientErrors::isConditionFailure);
        assertThat(table.visible()).isEqualTo(items);
    }

    @Test
    void aPackThatLandsCountsOneRequestPerWriteAndNoneRefused() {
        GuardedTable table = new GuardedTable();
        List<GuardedSender.Sent> sent = new GuardedSender(table).send(List.of(copy("A", 1, "a"), counter(1, 2)), Map.of(),
                TransientErrors::isConditionFailure);
        assertThat(sent).containsExactly(new GuardedSender.Sent(1, 0), new GuardedSender.Sent(1, 0));
        assertThat(table.visible().get(key("COUNT")).get("n").n()).isEqualTo("3");
    }

    @Test
    void aPackFailingForAnotherReasonIsNotResentButFailsAsASingleRequestWould() {
        GuardedTarget failing = new GuardedTarget() {
            @Override
            public void pack(List<GuardedWrite> pack, Map<ItemKey, java.util.Set<String>> finishedShards,
                             List<software.amazon.awssdk.services.dynamodb.model.TransactWriteItem> after) {
                throw TransactionCanceledException.builder().message("cancelled").cancellationReasons(
                        CancellationReason.builder().code("ConditionalCheckFailed").build(),
                        CancellationReason.builder().code("TransactionConflict").build()).build();
            }

            @Override
            public boolean put(GuardedWrite.Copy copy) {
                throw new AssertionError("a pack cancelled by a conflict must not be resent write by write");
            }

            @Override
            public Map<String, AttributeValue> update(GuardedWrite.Counter counter, java.util.Set<String> finishedShards) {
                throw new AssertionError("a pack cancelled by a conflict must not be resent write by write");
            }
        };
        List<GuardedWrite> pack = List.of(copy("A", 1, "a"), copy("B", 2, "b"));
        assertThatThrownBy(() -> new GuardedSender(failing).send(pack, Map.of(), TransientErrors::isConditionFailure))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e -> {
                    // Retried whole by the window's retry, as a throttled single write is.
                    assertThat(TransientErrors.isTransient(e)).isTrue();
                    assertThat(TransientErrors.isConditionFailure(e)).isFalse();
                });
    }

    @Test
    void refusedDataBesideAFailedConditionIsResentSoTheSingleWriteThatCarriesItShowsIt() {
        TransactionCanceledException both = TransactionCanceledException.builder().message("cancelled").cancellationReasons(
                CancellationReason.builder().code("ConditionalCheckFailed").build(),
                CancellationReason.builder().code("ValidationError").build()).build();
        assertThat(TransientErrors.isConditionFailure(both)).isTrue();
        TransactionCanceledException refused = TransactionCanceledException.builder().message("cancelled").cancellationReasons(
                CancellationReason.builder().code("None").build(),
                CancellationReason.builder().code("ValidationError").build()).build();
        assertThat(TransientErrors.isConditionFailure(refused)).isFalse();
        assertThat(TransientErrors.isRefusedData(refused)).isTrue();
    }

    private static GuardedWrite.Copy copy(String pk, long sequence, String value) {
        return new GuardedWrite.Copy(key(pk), new ItemMutation.Replace(key(pk), Map.of("v", AttributeValue.fromS(value))),
                StreamPosition.of(SHARD, Long.toString(sequence)));
    }

    /** The counter's steps {@code from} to {@code to}, step i adding i at sequence i. */
    private static GuardedWrite.Counter counter(int from, int to) {
        List<GuardedWrite.Step> steps = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            steps.add(new GuardedWrite.Step(BigInteger.valueOf(i), Write.increment("COUNT", "1", "n", i)));
        }
        return new GuardedWrite.Counter(key("COUNT"), SHARD, steps);
    }

    private static ItemKey key(String pk) {
        return new ItemKey(pk, "1");
    }
}
