package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.DeadLetter;
import io.projector.ops.DeadLetters;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import io.projector.worker.CommitPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Good changes mixed with malformed and hostile ones, through the real KCL on DynamoDB Local:
 * every bad change ends in the dead-letter store with a one-line reason, every good one is
 * projected, and the shard keeps flowing.
 */
class BadInputCorpusIT {

    private final TestDynamo.Setup t = TestDynamo.tables("corpus");
    private int goodCount;

    /** Both commit modes: in the guarded one each item is its own request, so DynamoDB's refusals come from single writes. */
    @ParameterizedTest
    @EnumSource(CommitPolicy.Mode.class)
    void everyBadChangeIsParkedWithItsReasonAndEveryGoodOneIsProjected(CommitPolicy.Mode mode) {
        boolean guarded = mode == CommitPolicy.Mode.GUARDED;
        Map<String, String> bad = new LinkedHashMap<>();
        good("g0");
        bad.put(put(thing("b-missing-type", "n", 1).without("type")), "no entity-type attribute");
        bad.put(put(thing("b-unknown-type", "n", 1).with("type", s("Gizmo"))), "no projection wants entity type 'Gizmo'");
        bad.put(put(thing("b-missing-name", "n", 1).without("name")), "'name'");
        bad.put(put(thing("b-name-number", "n", 1).with("name", n("7"))), "is a number (N), expected a string (S)");
        bad.put(put(thing("b-empty-name", "", 1)), "is empty");
        bad.put(put(thing("b-amount-text", "n", 1).with("amount", s("ten"))), "'amount'");
        bad.put(put(thing("b-amount-huge", "n", 1).with("amount", n("100000000000000000000"))), "does not fit a whole 64-bit number");
        bad.put(put(thing("b-amount-range", "n", 1).with("amount", n("-5"))), "outside 0..1000000000");
        bad.put(put(thing("b-amount-fraction", "n", 1).with("amount", n("1.5"))), "does not fit a whole 64-bit number");
        bad.put(put(thing("b-deep", "n", 1).with("meta", nested(20))), "nested deeper than 16 levels");
        bad.put(put(thing("b-throws", "n", 1).with("behaviour", s("throw"))), "this projection has a bug");
        bad.put(put(thing("b-null", "n", 1).with("behaviour", s("null"))), "returned null");
        bad.put(put(thing("b-oversized", "n", 1).with("behaviour", s("oversized"))), "DynamoDB refused its writes");
        bad.put(put(thing("b-reserved", "n", 1).with("behaviour", s("reserved"))), "reserved for the engine");
        // A put and an increment of one item: a fold that fails in a transaction, two styles in a guarded window.
        bad.put(put(thing("b-conflict", "n", 1).with("behaviour", s("conflict"))),
                guarded ? "the guarded commit keeps an item either a copy (puts and deletes) or a counter" : "cannot add 1 to attribute 'name'");
        bad.put(put(thing("b-index-key", "n", 1).with("behaviour", s("bad-index-key"))), "DynamoDB refused its writes");
        bad.put(put(thing("b-near-400k", "n", 1).with("behaviour", s("copy-big")).with("big", s("y".repeat(396_000)))), "DynamoDB refused its writes");
        // A large change that still fits is projected like any other.
        put(thing("g-big", "good big", 10).with("behaviour", s("copy-big")).with("big", s("z".repeat(300_000))));
        bad.put(put(thing("b-binary-name", "n", 1).with("name", AttributeValue.fromB(SdkBytes.fromUtf8String("x")))), "is binary (B)");
        good("g1");
        // A later change of an item whose change was parked waits behind it, to keep the item's order.
        String behind = put(thing("b-throws", "n", 2));
        good("g2");
        good("g3");

        try (Projector projector = t.start(List.of(new StrictProjection()),
                b -> b.parkUnknownTypes(true).commit(guarded ? CommitPolicy.GUARDED : CommitPolicy.TRANSACTIONAL))) {
            DeadLetters letters = new DeadLetters(TestDynamo.client(), t.readModel(), t.application(), List.of(new StrictProjection()));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> letters.list(null).size() >= bad.size() + 1 && goodProjected());

            Map<String, DeadLetter> byItem = letters.list(null).stream()
                    .filter(d -> !d.errorType().equals("waits-behind"))
                    .collect(Collectors.toMap(d -> d.sourceKey().replaceAll("^PK=([^|]*)\\|.*$", "$1"), d -> d));
            assertThat(byItem.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
            bad.forEach((item, reason) -> {
                DeadLetter d = byItem.get(item);
                assertThat(d.reason()).as(item).contains(reason).doesNotContain("\n");
            });
            assertThat(letters.list(null)).filteredOn(d -> d.errorType().equals("waits-behind"))
                    .singleElement().satisfies(d -> assertThat(d.sourceKey()).startsWith("PK=" + behind + "|"));

            assertThat(goodProjected()).isTrue();
            assertThat(TestDynamo.get(t.readModel(), "STRICT#g-big", "COPY")).containsKey("big");
            assertThat(TestDynamo.get(t.readModel(), "STRICT#TOTALS", "ALL")).containsEntry("count", n(Integer.toString(goodCount + 1)));
            assertThat(letters.get(byItem.get("b-near-400k").sortKey()).orElseThrow().event()).as("images too large to keep").isEmpty();
            for (String item : bad.keySet()) {
                assertThat(TestDynamo.get(t.readModel(), "STRICT#" + item, "COPY")).as(item).isEmpty();
            }
            ProjectorStats stats = projector.stats();
            assertThat(stats.haltedShards()).isEmpty();
            assertThat(stats.parked()).isEqualTo(bad.size() + 1);
        }
    }

    private boolean goodProjected() {
        for (int i = 0; i < goodCount; i++) {
            if (TestDynamo.get(t.readModel(), "STRICT#g" + i, "COPY").isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private void good(String id) {
        put(thing(id, "good " + id, 10));
        goodCount++;
    }

    private String put(Attrs item) {
        TestDynamo.client().putItem(b -> b.tableName(t.source()).item(item.map));
        return item.map.get("PK").s();
    }

    private static Attrs thing(String id, String name, long amount) {
        Attrs a = new Attrs();
        a.map.put("PK", s(id));
        a.map.put("SK", s("THING"));
        a.map.put("type", s("Thing"));
        a.map.put("name", s(name));
        a.map.put("amount", n(Long.toString(amount)));
        return a;
    }

    private static AttributeValue nested(int depth) {
        AttributeValue v = s("leaf");
        for (int i = 0; i < depth; i++) {
            v = AttributeValue.fromM(Map.of("m", v));
        }
        return v;
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    /** A source item under construction. */
    static final class Attrs {
        final Map<String, AttributeValue> map = new HashMap<>();

        Attrs with(String name, AttributeValue value) {
            map.put(name, value);
            return this;
        }

        Attrs without(String name) {
            map.remove(name);
            return this;
        }
    }
}
