package io.projector.runner;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The reference workload of the topics, posts and likes domain, written into the source table
 * through the ordinary SDK: posts on a few topics, users liking them (a few hot posts get many
 * likes), some likes that arrive before their post exists, some unlikes, and a couple of posts
 * deleted and created again while likes come and go. Seeded, so a run is repeatable.
 *
 * <p>Every post it deletes it creates again, so the final source has no deleted post with likes
 * left: the read model then equals the recomputation exactly (see {@code projections/KEYS.md},
 * post-likes, on the tombstone a post deleted for good leaves).
 */
final class LikesWorkload {

    /** One post as the workload knows it. */
    record Post(String topic, String id) {
    }

    private static final Instant EPOCH = Instant.parse("2024-06-01T00:00:00Z");

    private final DynamoDbClient dynamo;
    private final String table;
    private final String prefix;
    private final Random random;
    private final AtomicLong writes = new AtomicLong();
    private final List<Post> posts = new ArrayList<>();
    /** The likes that exist: post id -> user ids, in the order they liked it. */
    private final Map<String, Set<String>> likers = new LinkedHashMap<>();
    private int likesWritten;
    private int unlikes;
    private int likedBeforeTheirPost;
    private int recreated;

    LikesWorkload(DynamoDbClient dynamo, String table, String prefix, long seed) {
        this.dynamo = dynamo;
        this.table = table;
        this.prefix = prefix;
        this.random = new Random(seed);
    }

    long writes() {
        return writes.get();
    }

    int likesWritten() {
        return likesWritten;
    }

    int unlikes() {
        return unlikes;
    }

    /** Posts whose first likes were written before the post itself. */
    int likedBeforeTheirPost() {
        return likedBeforeTheirPost;
    }

    int recreated() {
        return recreated;
    }

    List<Post> posts() {
        return posts;
    }

    /** The post with the most likes now. */
    Post mostLiked() {
        return posts.stream().max((a, b) -> Integer.compare(likes(a), likes(b))).orElseThrow();
    }

    int likes(Post post) {
        return likers.getOrDefault(post.id(), Set.of()).size();
    }

    /**
     * @param topicCount topics {@code <prefix>t1..}
     * @param postCount  posts {@code <prefix>p1..}, spread over the topics
     * @param userCount  users {@code <prefix>u1..}, each liking 1-12 posts
     */
    void run(int topicCount, int postCount, int userCount) throws Exception {
        for (int p = 1; p <= postCount; p++) {
            posts.add(new Post(prefix + "t" + (1 + (p - 1) % topicCount), prefix + "p" + p));
            likers.put(prefix + "p" + p, new LinkedHashSet<>());
        }
        // A tenth of the posts are written only after the likes: their likes arrive first.
        List<Post> late = new ArrayList<>();
        List<Post> early = new ArrayList<>();
        for (Post post : posts) {
            (random.nextInt(10) == 0 ? late : early).add(post);
        }
        putAll(early.stream().map(this::postItem).toList());

        // Likes: a few hot posts draw a third of them.
        List<Post> hot = posts.subList(0, Math.min(3, posts.size()));
        List<Map<String, AttributeValue>> likes = new ArrayList<>();
        for (int u = 1; u <= userCount; u++) {
            String user = prefix + "u" + u;
            int count = 1 + random.nextInt(12);
            for (int i = 0; i < count; i++) {
                Post post = random.nextInt(3) == 0 ? hot.get(random.nextInt(hot.size())) : posts.get(random.nextInt(posts.size()));
                if (likers.get(post.id()).add(user)) {
                    likes.add(likeItem(user, post));
                }
            }
        }
        putAll(likes);
        likesWritten += likes.size();
        likedBeforeTheirPost = (int) late.stream().filter(p -> likes(p) > 0).count();
        putAll(late.stream().map(this::postItem).toList());

        // Unlikes: about one like in ten is taken back.
        List<WriteRequest> unliked = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : likers.entrySet()) {
            for (String user : List.copyOf(e.getValue())) {
                if (random.nextInt(10) == 0) {
                    unliked.add(delete("USER#" + user, "LIKE#" + e.getKey()));
                    e.getValue().remove(user);
                }
            }
        }
        batchWrite(unliked);
        unlikes += unliked.size();

        // Two posts (a hot one and another) are deleted; likes come and go while they are gone; they are created again.
        List<Post> again = List.of(posts.get(0), posts.get(posts.size() / 2));
        for (Post post : again) {
            dynamo.deleteItem(b -> b.tableName(table).key(key("TOPIC#" + post.topic(), "POST#" + post.id())));
            writes.incrementAndGet();
        }
        for (Post post : again) {
            Set<String> users = likers.get(post.id());
            for (int i = 0; i < 5; i++) {
                String user = prefix + "u" + (1 + random.nextInt(userCount));
                if (users.add(user)) {
                    put(likeItem(user, post));
                    likesWritten++;
                } else {
                    dynamo.deleteItem(b -> b.tableName(table).key(key("USER#" + user, "LIKE#" + post.id())));
                    writes.incrementAndGet();
                    users.remove(user);
                    unlikes++;
                }
            }
        }
        for (Post post : again) {
            Map<String, AttributeValue> item = postItem(post);
            item.put("title", AttributeValue.fromS("Post " + post.id() + ", posted again"));
            put(item);
            recreated++;
        }
    }

    private Map<String, AttributeValue> postItem(Post post) {
        return item("TOPIC#" + post.topic(), "POST#" + post.id(), "Post",
                "title", "Post " + post.id(),
                "author", prefix + "u" + (1 + Math.floorMod(post.id().hashCode(), 50)),
                "createdAt", EPOCH.minusSeconds(86_400L * (1 + random.nextInt(30))).toString());
    }

    private Map<String, AttributeValue> likeItem(String user, Post post) {
        return item("USER#" + user, "LIKE#" + post.id(), "Like",
                "topic", post.topic(),
                "likedAt", EPOCH.plusSeconds(random.nextInt(30 * 86_400)).toString());
    }

    private void putAll(List<Map<String, AttributeValue>> items) throws Exception {
        List<WriteRequest> requests = new ArrayList<>(items.size());
        items.forEach(i -> requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(i).build()).build()));
        batchWrite(requests);
    }

    private void put(Map<String, AttributeValue> item) {
        dynamo.putItem(b -> b.tableName(table).item(item));
        writes.incrementAndGet();
    }

    /** Batches of 25 on four threads; each item appears once in {@code requests}, so its order does not matter. */
    private void batchWrite(List<WriteRequest> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < requests.size(); from += 25) {
                List<WriteRequest> batch = requests.subList(from, Math.min(requests.size(), from + 25));
                futures.add(pool.submit(() -> writeBatch(batch)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void writeBatch(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(request));
            pending = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
        }
        writes.addAndGet(batch.size());
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk));
    }

    private static WriteRequest delete(String pk, String sk) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key(pk, sk)).build()).build();
    }

    private static Map<String, AttributeValue> item(String pk, String sk, String type, Object... attributes) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS(sk));
        item.put("type", AttributeValue.fromS(type));
        for (int i = 0; i < attributes.length; i += 2) {
            item.put((String) attributes[i], AttributeValue.fromS((String) attributes[i + 1]));
        }
        return item;
    }
}
