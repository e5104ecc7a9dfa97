package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ItemKey;
import io.projector.Write;
import io.projector.internal.guard.GuardedRequests;
import io.projector.internal.guard.GuardedSender;
import io.projector.internal.guard.GuardedWindow;
import io.projector.internal.guard.GuardedWrite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The guarded requests on DynamoDB Local, as DynamoDB evaluates their conditions: a stale owner
 * sending an old window after the new owner sent a newer one changes nothing; a window cut
 * differently after a crash is folded again from the stored marker (returned by the refusal);
 * a delete leaves a tombstone that a late older put cannot overwrite, and a newer put re-creates
 * the item.
 */
class GuardedSenderIT {

    private static final String PARENT = "shardId-00000001796085584262-86b1daf3";
    private static final String CHILD = "shardId-00000001796099984262-0a1b2c3d";
    private static String table;
    private static GuardedSender sender;

    @BeforeAll
    static void table() {
        table = TestDynamo.tables("guarded").readModel();
        sender = new GuardedSender(TestDynamo.client(), table);
    }

    @Test
    void aStaleOwnersOldWindowChangesNothingAfterTheNewOwnersWindow() {
        List<GuardedWrite> old = window(PARENT, 100, 3, "C1", "N1");
        List<GuardedWrite> newer = window(PARENT, 100, 5, "C1", "N1");
        newer.forEach(sender::send);
        Map<String, AttributeValue> counter = item("N1");
        Map<String, AttributeValue> copy = item("C1");

        List<GuardedSender.Sent> stale = old.stream().map(sender::send).toList();

        assertThat(stale).allSatisfy(s -> assertThat(s.refused()).isEqualTo(s.requests()));
        assertThat(item("N1")).isEqualTo(counter);
        assertThat(item("C1")).isEqualTo(copy);
        assertThat(counter.get("n").n()).isEqualTo("5");
        assertThat(copy.get("value").s()).isEqualTo("v104");
    }

    @Test
    void aWindowCutDifferentlyAfterACrashIsFoldedAgainFromTheStoredMarker() {
        window(PARENT, 200, 3, "C2", "N2").forEach(sender::send);
        // The successor's first window overlaps: records 200..205; the first three are in already.
        GuardedWrite counter = window(PARENT, 200, 6, "C2", "N2").stream().filter(w -> w.key().pk().equals("N2")).findFirst().orElseThrow();

        GuardedSender.Sent sent = sender.send(counter);

        assertThat(sent).isEqualTo(new GuardedSender.Sent(2, 1));
        assertThat(item("N2").get("n").n()).isEqualTo("6");
        assertThat(sender.send(counter)).as("the same window again").isEqualTo(new GuardedSender.Sent(1, 1));
        assertThat(item("N2").get("n").n()).isEqualTo("6");
    }

    @Test
    void aCounterFedByTwoShardsKeepsAMarkerForEach() {
        window(PARENT, 300, 4, "C3", "N3").forEach(sender::send);
        window(CHILD, 300, 2, "C3", "N3").forEach(sender::send);
        window(PARENT, 300, 4, "C3", "N3").forEach(sender::send);

        Map<String, AttributeValue> counter = item("N3");
        assertThat(counter.get("n").n()).isEqualTo("6");
        assertThat(GuardedRequests.storedMarker(counter, PARENT)).hasToString("303");
        assertThat(GuardedRequests.storedMarker(counter, CHILD)).hasToString("301");
        assertThat(item("C3").get("value").s()).as("the child's change is the later one").isEqualTo("v301");
    }

    @Test
    void aCounterUpdatePrunesTheMarkersOfFinishedShardsAndKeepsItsCount() {
        window(PARENT, 500, 3, "C5", "N5").forEach(sender::send);
        GuardedWrite child = window(CHILD, 20, 2, "C5", "N5").stream().filter(w -> w.key().pk().equals("N5")).findFirst().orElseThrow();

        assertThat(sender.send(child, java.util.Set.of(PARENT, CHILD))).isEqualTo(new GuardedSender.Sent(1, 0));

        Map<String, AttributeValue> counter = item("N5");
        assertThat(counter.get("n").n()).isEqualTo("5");
        assertThat(GuardedRequests.storedMarker(counter, PARENT)).as("the finished parent's marker").isNull();
        assertThat(GuardedRequests.storedMarker(counter, CHILD)).as("its own marker is never pruned").hasToString("21");
    }

    @Test
    void aDeleteLeavesATombstoneThatALateOlderPutCannotOverwriteAndANewerPutRecreatesTheItem() {
        GuardedWindow put = new GuardedWindow(PARENT);
        put.add("400", Write.put("C4", "1").with("value", "old"));
        GuardedWindow delete = new GuardedWindow(PARENT);
        delete.add("401", Write.delete("C4", "1"));
        put.writes().forEach(sender::send);
        delete.writes().forEach(sender::send);

        assertThat(put.writes().stream().map(sender::send).toList()).as("the late put").containsExactly(new GuardedSender.Sent(1, 1));
        assertThat(item("C4")).containsEntry(GuardedRequests.DELETED, AttributeValue.fromBool(true)).doesNotContainKey("value");

        GuardedWindow recreate = new GuardedWindow(CHILD);
        recreate.add("10", Write.put("C4", "1").with("value", "new"));
        recreate.writes().forEach(sender::send);
        assertThat(item("C4")).containsEntry("value", AttributeValue.fromS("new")).doesNotContainKey(GuardedRequests.DELETED);
    }

    /** Records {@code first} .. {@code first + count - 1} of a shard, each copying itself and counting one. */
    private static List<GuardedWrite> window(String shard, int first, int count, String copy, String counter) {
        GuardedWindow w = new GuardedWindow(shard);
        for (int s = first; s < first + count; s++) {
            w.add(Integer.toString(s), Write.put(copy, "1").with("value", "v" + s));
            w.add(Integer.toString(s), Write.increment(counter, "1", "n", 1));
        }
        return w.writes();
    }

    private static Map<String, AttributeValue> item(String pk) {
        return TestDynamo.client().getItem(b -> b.tableName(table).key(ItemKey.of(pk, "1").toAttributes()).consistentRead(true)).item();
    }
}
