package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ItemKey;
import io.projector.Write;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Removing attributes folds like DynamoDB applies it, one write after another. */
class ItemMutationRemovalTest {

    private static final ItemKey K = ItemKey.of("P", "S");

    @Test
    void removalAfterAPutDropsTheAttributes() {
        assertSameAsOneByOne(List.of(Write.put(K).with("a", "x").with("b", "y"), Write.set(K).without("a")));
    }

    @Test
    void removalCancelsEarlierSetsAndAddsOfTheSameAttribute() {
        assertSameAsOneByOne(List.of(Write.set(K).with("a", "x"), Write.increment(K, "n", 2), Write.set(K).without("a", "n")));
    }

    @Test
    void anAddAfterARemovalStartsFromNothingAndBecomesASet() {
        List<Write> writes = List.of(Write.set(K).without("n"), Write.increment(K, "n", 3));
        ItemMutation folded = fold(writes);
        assertThat(folded).isInstanceOf(ItemMutation.Update.class);
        ItemMutation.Update u = (ItemMutation.Update) folded;
        assertThat(u.removes()).doesNotContain("n");
        assertThat(u.sets()).containsEntry("n", AttributeValue.fromN("3"));
        assertSameAsOneByOne(writes);
    }

    @Test
    void aSetAfterARemovalSetsItAgain() {
        assertSameAsOneByOne(List.of(Write.set(K).without("a"), Write.set(K).with("a", "back")));
    }

    @Test
    void removalsOnAMissingItemCreateItWithItsKeyOnly() {
        InMemoryReadModel model = new InMemoryReadModel();
        model.apply(fold(List.of(Write.set(K).without("a"))));
        assertThat(model.get(K)).isEmpty();
    }

    private static ItemMutation fold(List<Write> writes) {
        ItemMutation m = null;
        for (Write w : writes) {
            m = m == null ? ItemMutation.of(w) : m.then(w);
        }
        return m;
    }

    /** Applied on top of an item holding a, b and n, folding must equal applying one by one. */
    private static void assertSameAsOneByOne(List<Write> writes) {
        InMemoryReadModel oneByOne = seeded();
        writes.forEach(oneByOne::apply);
        InMemoryReadModel folded = seeded();
        folded.apply(fold(writes));
        assertThat(folded.items()).isEqualTo(oneByOne.items());
    }

    private static InMemoryReadModel seeded() {
        InMemoryReadModel model = new InMemoryReadModel();
        model.apply(Write.put(K).with("a", "old").with("b", "keep").with("n", 5));
        return model;
    }

}
