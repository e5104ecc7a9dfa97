package io.projector.projections;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.testkit.ProjectionTestKit;
import io.projector.testkit.ReadModelCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Random inserts, modifies and removes of orders, posts and likes, in random stream batches (so
 * that coalescing and chunking take part), through the test kit with every built-in projection:
 * the counters must equal a direct count over the final source table, and the whole read model
 * must equal the verifier's recomputation from it.
 */
class CounterProperties {

    private static final int TRIES = 200;
    private static final List<String> STATUSES = List.of("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED");
    private static final int ORDERS = 60;
    private static final int CUSTOMERS = 4;
    private static final int TOPICS = 3;
    private static final int POSTS = 5;
    private static final int USERS = 8;

    // ------------------------------------------------------------------ the source changes

    sealed interface Change permits PutOrder, DeleteOrder, PutPost, DeletePost, PutLike, DeleteLike {
    }

    record PutOrder(int order, int customer, int status, int total) implements Change {
    }

    record DeleteOrder(int order) implements Change {
    }

    record PutPost(int topic, int post, int version) implements Change {
    }

    record DeletePost(int topic, int post) implements Change {
    }

    /** A like of post {@code post}; its {@code topic} is usually the post's own (post mod TOPICS), sometimes another. */
    record PutLike(int user, int post, int topic, int second) implements Change {
    }

    record DeleteLike(int user, int post) implements Change {
    }

    record Scenario(int shards, List<List<Change>> batches) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Integer> post = Arbitraries.integers().between(0, POSTS - 1);
        Arbitrary<Change> change = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(Arbitraries.integers().between(0, ORDERS - 1), Arbitraries.integers().between(0, CUSTOMERS - 1),
                        Arbitraries.integers().between(0, STATUSES.size() - 1), Arbitraries.integers().between(0, 500)).as(PutOrder::new)),
                Tuple.of(2, Arbitraries.integers().between(0, ORDERS - 1).map(DeleteOrder::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, TOPICS - 1), post, Arbitraries.integers().between(0, 3))
                        .as(PutPost::new)),
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, TOPICS - 1), post).as(DeletePost::new)),
                Tuple.of(5, Combinators.combine(Arbitraries.integers().between(0, USERS - 1), post,
                                Arbitraries.frequency(Tuple.of(5, -1), Tuple.of(1, 0), Tuple.of(1, 1), Tuple.of(1, 2)),
                                Arbitraries.integers().between(0, 59))
                        .as((u, p, t, s) -> (Change) new PutLike(u, p, t < 0 ? p % TOPICS : t, s))),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, USERS - 1), post).as(DeleteLike::new)));
        Arbitrary<List<Change>> batch = Arbitraries.frequencyOf(
                Tuple.of(3, change.list().ofMinSize(1).ofMaxSize(4)),
                Tuple.of(2, change.list().ofMinSize(5).ofMaxSize(60)),
                // big enough to pass 100 transaction actions, so that the planner cuts chunks
                Tuple.of(1, change.list().ofMinSize(100).ofMaxSize(250)));
        return Combinators.combine(Arbitraries.integers().between(1, 12), batch.list().ofMinSize(1).ofMaxSize(12)).as(Scenario::new);
    }

    /** What the kit saw, and the source table after it (keyed "PK|SK"). */
    record Run(ProjectionTestKit kit, ShardedOrderCountProjection sharded, List<Projection> projections, Map<String, Map<String, Object>> source) {
    }

    static Run run(Scenario s) {
        ShardedOrderCountProjection sharded = new ShardedOrderCountProjection(s.shards());
        List<Projection> projections = List.of(new OrderHistoryProjection(), new OrderCountersProjection(), sharded,
                new PostLikesProjection(), new UserLikesProjection());
        ProjectionTestKit kit = ProjectionTestKit.of(projections.toArray(Projection[]::new));
        Map<String, Map<String, Object>> source = new LinkedHashMap<>();
        for (List<Change> batch : s.batches()) {
            if (batch.size() == 1) {
                apply(kit, source, batch.get(0));
            } else {
                kit.batch(() -> batch.forEach(c -> apply(kit, source, c)));
            }
        }
        return new Run(kit, sharded, projections, source);
    }

    static void apply(ProjectionTestKit kit, Map<String, Map<String, Object>> source, Change c) {
        if (c instanceof PutOrder o) {
            put(kit, source, Fixtures.order("o" + o.order(), "c" + o.customer(), STATUSES.get(o.status()), o.total()));
        } else if (c instanceof DeleteOrder o) {
            delete(kit, source, "ORDER#o" + o.order(), "ORDER");
        } else if (c instanceof PutPost p) {
            put(kit, source, Fixtures.post("t" + p.topic(), "p" + p.post(), "title " + p.version(), "author" + p.version() % 2));
        } else if (c instanceof DeletePost p) {
            delete(kit, source, "TOPIC#t" + p.topic(), "POST#p" + p.post());
        } else if (c instanceof PutLike l) {
            put(kit, source, Fixtures.like("u" + l.user(), "p" + l.post(), "t" + l.topic(), String.format("2024-05-01T00:00:%02dZ", l.second())));
        } else {
            DeleteLike l = (DeleteLike) c;
            delete(kit, source, "USER#u" + l.user(), "LIKE#p" + l.post());
        }
    }

    private static void put(ProjectionTestKit kit, Map<String, Map<String, Object>> source, Map<String, Object> item) {
        kit.put(item);
        source.put(item.get("PK") + "|" + item.get("SK"), item);
    }

    private static void delete(ProjectionTestKit kit, Map<String, Map<String, Object>> source, String pk, String sk) {
        kit.delete(pk, sk);
        source.remove(pk + "|" + sk);
    }

    private static long number(Map<ItemKey, Item> items, String pk, String sk, String attribute) {
        Item item = items.get(ItemKey.of(pk, sk));
        return item == null || !item.has(attribute) ? 0 : item.longValue(attribute);
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void countersEqualACountOverTheFinalSource(@ForAll("scenarios") Scenario s) {
        Run r = run(s);
        Map<ItemKey, Item> items = r.kit().items();

        // counted directly from the final source
        Map<String, Long> perStatus = new TreeMap<>();
        Map<String, long[]> perCustomer = new TreeMap<>();
        long[] perShard = new long[s.shards()];
        Map<ItemKey, Long> likesPerPost = new LinkedHashMap<>();
        Map<ItemKey, Map<String, Object>> posts = new LinkedHashMap<>();
        Set<ItemKey> likeCopies = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        long orders = 0;
        for (Map<String, Object> item : r.source().values()) {
            String type = (String) item.get("type");
            if (type.equals("Order")) {
                orders++;
                String status = (String) item.get("status");
                perStatus.merge(status, 1L, Long::sum);
                long[] totals = perCustomer.computeIfAbsent((String) item.get("customerId"), c -> new long[2]);
                totals[0]++;
                totals[1] += status.equals("CANCELLED") ? 0 : (Integer) item.get("total");
                perShard[r.sharded().shardOf((String) item.get("PK"), (String) item.get("SK"))]++;
            } else if (type.equals("Post")) {
                posts.put(ItemKey.of((String) item.get("PK"), (String) item.get("SK")), item);
            } else {
                String user = ((String) item.get("PK")).substring("USER#".length());
                String postId = ((String) item.get("SK")).substring("LIKE#".length());
                likesPerPost.merge(PostLikesProjection.key((String) item.get("topic"), postId), 1L, Long::sum);
                likeCopies.add(ItemKey.of("USER#" + user, "LIKED#" + postId));
                likeCopies.add(ItemKey.of("POST#" + postId, "LIKER#" + user));
            }
        }

        // order-counters
        for (String status : STATUSES) {
            assertThat(number(items, "STATS#ORDERS", "STATUS#" + status, "count")).as(status).isEqualTo(perStatus.getOrDefault(status, 0L));
        }
        for (int c = 0; c < CUSTOMERS; c++) {
            long[] totals = perCustomer.getOrDefault("c" + c, new long[2]);
            assertThat(number(items, "CUSTOMER#c" + c, "TOTALS", "orderCount")).as("orders of c%d", c).isEqualTo(totals[0]);
            assertThat(number(items, "CUSTOMER#c" + c, "TOTALS", "totalSpent")).as("spend of c%d", c).isEqualTo(totals[1]);
        }

        // order-total-sharded
        assertThat(ShardedCounters.sum(items, "STATS#ORDERS#", s.shards(), "TOTAL", "count")).isEqualTo(orders);
        for (int shard = 0; shard < s.shards(); shard++) {
            assertThat(number(items, "STATS#ORDERS#" + shard, "TOTAL", "count")).as("shard %d", shard).isEqualTo(perShard[shard]);
        }
        assertThat(items.keySet()).filteredOn(k -> k.pk().startsWith("STATS#ORDERS#"))
                .allMatch(k -> k.sk().equals("TOTAL") && Integer.parseInt(k.pk().substring("STATS#ORDERS#".length())) < s.shards());

        // post-likes: every (topic, post) item, whether its post exists or not
        for (int t = 0; t < TOPICS; t++) {
            for (int p = 0; p < POSTS; p++) {
                ItemKey key = PostLikesProjection.key("t" + t, "p" + p);
                Item item = items.get(key);
                assertThat(number(items, key.pk(), key.sk(), "likeCount")).as("likes of %s", key).isEqualTo(likesPerPost.getOrDefault(key, 0L));
                Map<String, Object> post = posts.get(key);
                if (post != null) {
                    assertThat(item).as("item of existing post %s", key).isNotNull();
                    assertThat(item.string("title")).isEqualTo(post.get("title"));
                    assertThat(item.string("author")).isEqualTo(post.get("author"));
                } else if (item != null) {
                    assertThat(item.has("title")).as("title of missing post %s", key).isFalse();
                    assertThat(item.has("author")).as("author of missing post %s", key).isFalse();
                }
            }
        }

        // user-likes: exactly one copy on each side per existing like
        assertThat(items.keySet()).filteredOn(k -> k.pk().startsWith("USER#") || k.pk().startsWith("POST#"))
                .containsExactlyInAnyOrderElementsOf(likeCopies);
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void theReadModelIsTheRecomputationFromTheFinalSource(@ForAll("scenarios") Scenario s) {
        Run r = run(s);
        Map<ItemKey, Map<String, AttributeValue>> expected = ReadModelCheck.of(r.projections(), "type").recomputed(r.source().values());

        assertThat(ReadModelCheck.comparable(r.kit().items())).isEqualTo(expected);
        // Deleted posts leave no NULL behind: their title and author are removed.
        r.kit().items().values().forEach(item -> assertThat(item.asMap().values()).noneMatch(v -> Boolean.TRUE.equals(v.nul())));
    }
}
