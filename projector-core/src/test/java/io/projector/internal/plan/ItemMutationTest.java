package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ItemKey;
import io.projector.Write;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemMutationTest {

    private static final ItemKey KEY = ItemKey.of("STATS#ORDERS", "STATUS#PAID");

    private static ItemMutation fold(Write first, Write... rest) {
        ItemMutation m = ItemMutation.of(first);
        for (Write w : rest) {
            m = m.then(w);
        }
        return m;
    }

    private static AttributeValue n(String n) {
        return AttributeValue.fromN(n);
    }

    private static AttributeValue s(String s) {
        return AttributeValue.fromS(s);
    }

    private static BigDecimal dec(String n) {
        return new BigDecimal(n);
    }

    /**
     * The folded mutation must leave the same item as the writes applied one by one, starting from
     * each of: no item, and an item that already has some attributes.
     */
    private static void assertSameAsOneByOne(List<Write> writes) {
        for (Map<String, AttributeValue> initial : List.<Map<String, AttributeValue>>of(
                Map.of(), Map.of("count", n("100"), "name", s("old"), "other", s("kept"))) ) {
            InMemoryReadModel oneByOne = new InMemoryReadModel();
            InMemoryReadModel folded = new InMemoryReadModel();
            if (!initial.isEmpty()) {
                oneByOne.apply(new ItemMutation.Replace(KEY, initial));
                folded.apply(new ItemMutation.Replace(KEY, initial));
            }
            writes.forEach(oneByOne::apply);
            folded.apply(fold(writes.get(0), writes.subList(1, writes.size()).toArray(Write[]::new)));
            assertThat(folded.items()).as("starting from %s", initial).isEqualTo(oneByOne.items());
        }
    }

    @Test
    void singleWritesMapToTheirMutation() {
        assertThat(ItemMutation.of(Write.put(KEY).with("name", "x")))
                .isEqualTo(new ItemMutation.Replace(KEY, Map.of("name", s("x"))));
        assertThat(ItemMutation.of(Write.delete(KEY))).isEqualTo(new ItemMutation.Remove(KEY));
        assertThat(ItemMutation.of(Write.increment(KEY, "count", 2)))
                .isEqualTo(new ItemMutation.Update(KEY, Map.of(), Map.of("count", dec("2"))));
        assertThat(ItemMutation.of(Write.set(KEY).with("name", "x")))
                .isEqualTo(new ItemMutation.Update(KEY, Map.of("name", s("x")), Map.of()));
    }

    @Test
    void putThenIncrementAddsToThePutNumberOrCreatesIt() {
        Write put = Write.put(KEY).with("count", 5).with("name", "a");
        Write inc = Write.increment(KEY, "count", 3).and("fresh", 2);

        ItemMutation m = fold(put, inc);

        assertThat(m).isInstanceOf(ItemMutation.Replace.class);
        assertThat(((ItemMutation.Replace) m).attributes())
                .containsEntry("count", n("8"))
                .containsEntry("name", s("a"))
                .containsEntry("fresh", n("2"))
                .hasSize(3);
        assertSameAsOneByOne(List.of(put, inc));
    }

    @Test
    void deleteThenIncrementCreatesTheItemWithTheDelta() {
        Write inc = Write.increment(KEY, "count", 4);

        ItemMutation m = fold(Write.delete(KEY), inc);

        assertThat(m).isEqualTo(new ItemMutation.Replace(KEY, Map.of("count", n("4"))));
        assertSameAsOneByOne(List.of(Write.delete(KEY), inc));
    }

    @Test
    void incrementsOfTheSameAttributeAreSummed() {
        Write a = Write.increment(KEY, "count", 1).and("amount", new BigDecimal("2.50"));
        Write b = Write.increment(KEY, "count", -3).and("amount", new BigDecimal("0.5"));
        Write c = Write.increment(KEY, "other", 7);

        ItemMutation m = fold(a, b, c);

        assertThat(m).isInstanceOf(ItemMutation.Update.class);
        ItemMutation.Update u = (ItemMutation.Update) m;
        assertThat(u.sets()).isEmpty();
        assertThat(u.adds()).containsOnlyKeys("count", "amount", "other");
        assertThat(u.adds().get("count")).isEqualByComparingTo("-2");
        assertThat(u.adds().get("amount")).isEqualByComparingTo("3");
        assertThat(u.adds().get("other")).isEqualByComparingTo("7");
        // "other" is a string in the initial item: one by one fails, so only check from an empty start
        InMemoryReadModel oneByOne = new InMemoryReadModel();
        List.of(a, b).forEach(oneByOne::apply);
        InMemoryReadModel folded = new InMemoryReadModel();
        folded.apply(fold(a, b));
        assertThat(folded.items()).isEqualTo(oneByOne.items());
    }

    @Test
    void setAfterIncrementOfTheSameAttributeOverridesTheIncrement() {
        Write inc = Write.increment(KEY, "count", 5).and("hits", 1);
        Write set = Write.set(KEY).with("count", 42);

        ItemMutation m = fold(inc, set);

        assertThat(m).isInstanceOf(ItemMutation.Update.class);
        ItemMutation.Update u = (ItemMutation.Update) m;
        assertThat(u.sets()).isEqualTo(Map.of("count", n("42")));
        assertThat(u.adds()).containsOnlyKeys("hits");
        assertSameAsOneByOne(List.of(inc, set));
    }

    @Test
    void incrementAfterSetOfTheSameAttributeAddsToTheSetNumber() {
        Write set = Write.set(KEY).with("count", 10).with("name", "n");
        Write inc = Write.increment(KEY, "count", -4).and("hits", 1);

        ItemMutation m = fold(set, inc);

        assertThat(m).isInstanceOf(ItemMutation.Update.class);
        ItemMutation.Update u = (ItemMutation.Update) m;
        assertThat(u.sets()).containsEntry("count", n("6")).containsEntry("name", s("n")).hasSize(2);
        assertThat(u.adds()).containsOnlyKeys("hits");
        assertThat(u.adds().get("hits")).isEqualByComparingTo("1");
        assertSameAsOneByOne(List.of(set, inc));
    }

    @Test
    void setsAreMergedAndTheLastValueWins() {
        Write a = Write.set(KEY).with("name", "a").with("x", 1);
        Write b = Write.set(KEY).with("name", "b");

        assertThat(fold(a, b)).isEqualTo(new ItemMutation.Update(KEY, Map.of("name", s("b"), "x", n("1")), Map.of()));
        assertSameAsOneByOne(List.of(a, b));
    }

    @Test
    void setAfterPutEditsThePut() {
        Write put = Write.put(KEY).with("name", "a").with("count", 1);
        Write set = Write.set(KEY).with("name", "b").with("extra", true);

        assertThat(fold(put, set)).isEqualTo(new ItemMutation.Replace(KEY,
                Map.of("name", s("b"), "count", n("1"), "extra", AttributeValue.fromBool(true))));
        assertSameAsOneByOne(List.of(put, set));
    }

    @Test
    void setAfterDeleteCreatesAnItemWithOnlyTheSetAttributes() {
        Write set = Write.set(KEY).with("name", "b");

        assertThat(fold(Write.delete(KEY), set)).isEqualTo(new ItemMutation.Replace(KEY, Map.of("name", s("b"))));
        assertSameAsOneByOne(List.of(Write.delete(KEY), set));
    }

    @Test
    void putThenDeleteIsADelete() {
        Write put = Write.put(KEY).with("name", "a");

        assertThat(fold(put, Write.delete(KEY))).isEqualTo(new ItemMutation.Remove(KEY));
        assertSameAsOneByOne(List.of(put, Write.delete(KEY)));
    }

    @Test
    void deleteThenPutIsThePut() {
        Write put = Write.put(KEY).with("name", "a");

        assertThat(fold(Write.delete(KEY), put)).isEqualTo(new ItemMutation.Replace(KEY, Map.of("name", s("a"))));
        assertSameAsOneByOne(List.of(Write.delete(KEY), put));
    }

    @Test
    void putReplacesEarlierIncrementsAndSets() {
        Write inc = Write.increment(KEY, "count", 3);
        Write set = Write.set(KEY).with("name", "x");
        Write put = Write.put(KEY).with("fresh", 1);

        assertThat(fold(inc, set, put)).isEqualTo(new ItemMutation.Replace(KEY, Map.of("fresh", n("1"))));
        assertSameAsOneByOne(List.of(inc, set, put));
    }

    @Test
    void incrementsThatCancelStillCreateTheAttribute() {
        Write up = Write.increment(KEY, "count", 1);
        Write down = Write.increment(KEY, "count", -1);

        ItemMutation m = fold(up, down);

        assertThat(((ItemMutation.Update) m).adds().get("count")).isEqualByComparingTo("0");
        assertSameAsOneByOne(List.of(up, down));
    }

    @Test
    void foldedNumbersAreCanonical() {
        ItemMutation m = fold(Write.put(KEY).with("amount", new BigDecimal("1.50")), Write.increment(KEY, "amount", new BigDecimal("1.50")));
        assertThat(((ItemMutation.Replace) m).attributes()).containsEntry("amount", n("3"));
    }

    @Test
    void incrementOfANonNumberAttributeOfAPutIsRejectedNamingTheAttribute() {
        Write put = Write.put(KEY).with("status", "PAID");

        assertThatThrownBy(() -> fold(put, Write.increment(KEY, "status", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'status'")
                .hasMessageContaining(KEY.toString())
                .hasMessageContaining("not a number");
    }

    @Test
    void incrementOfANonNumberSetAttributeIsRejectedNamingTheAttribute() {
        Write set = Write.set(KEY).with("label", "x");

        assertThatThrownBy(() -> fold(set, Write.increment(KEY, "label", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'label'");
    }

    @Test
    void foldingAWriteOfAnotherItemIsRejected() {
        ItemKey other = ItemKey.of("STATS#ORDERS", "STATUS#NEW");
        assertThatThrownBy(() -> fold(Write.put(KEY), Write.delete(other)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(KEY.toString())
                .hasMessageContaining(other.toString());
    }
}
