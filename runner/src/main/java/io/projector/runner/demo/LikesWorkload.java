package io.projector.runner.demo;

import io.projector.runner.SourceTableWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The reference workload of the topics, posts and likes domain, written into the source table
 * through the ordinary SDK: posts on a few topics, users liking them (a few hot posts get many
 * likes), some likes that arrive before their post exists, some unlikes, a couple of posts
 * deleted and created again while likes come and go, and one post deleted for good while its
 * likes stay. Seeded, so a run is repeatable.
 */
final class LikesWorkload {

    /** One post as the workload knows it. */
    record Post(String topic, String id) {
    }

    private static final Instant EPOCH = Instant.parse("2024-06-01T00:00:00Z");

    private final SourceTableWriter writer;
    private final String prefix;
    private final Random random;
    private final List<Post> posts = new ArrayList<>();
    /** The likes that exist: post id -> user ids, in the order they liked it. */
    private final Map<String, Set<String>> likers = new LinkedHashMap<>();
    private int likesWritten;
    private int unlikes;
    private int likedBeforeTheirPost;
    private int recreated;
    private int deletedForGood;

    LikesWorkload(DynamoDbClient dynamo, String table, String prefix, long seed) {
        this.writer = new SourceTableWriter(dynamo, table);
        this.prefix = prefix;
        this.random = new Random(seed);
    }

    long writes() {
        return writer.writes();
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
        writer.putAll(early.stream().map(this::postItem).toList());

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
        writer.putAll(likes);
        likesWritten += likes.size();
        likedBeforeTheirPost = (int) late.stream().filter(p -> likes(p) > 0).count();
        writer.putAll(late.stream().map(this::postItem).toList());

        // Unlikes: about one like in ten is taken back.
        List<WriteRequest> unliked = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : likers.entrySet()) {
            for (String user : List.copyOf(e.getValue())) {
                if (random.nextInt(10) == 0) {
                    unliked.add(SourceTableWriter.deleteRequest("USER#" + user, "LIKE#" + e.getKey()));
                    e.getValue().remove(user);
                }
            }
        }
        writer.batchWrite(unliked);
        unlikes += unliked.size();

        // Two posts (a hot one and another) are deleted; likes come and go while they are gone; they are created again.
        List<Post> again = List.of(posts.get(0), posts.get(posts.size() / 2));
        for (Post post : again) {
            writer.delete("TOPIC#" + post.topic(), "POST#" + post.id());
        }
        for (Post post : again) {
            Set<String> users = likers.get(post.id());
            for (int i = 0; i < 5; i++) {
                String user = prefix + "u" + (1 + random.nextInt(userCount));
                if (users.add(user)) {
                    writer.put(likeItem(user, post));
                    likesWritten++;
                } else {
                    writer.delete("USER#" + user, "LIKE#" + post.id());
                    users.remove(user);
                    unlikes++;
                }
            }
        }
        for (Post post : again) {
            Map<String, AttributeValue> item = postItem(post);
            item.put("title", AttributeValue.fromS("Post " + post.id() + ", posted again"));
            writer.put(item);
            recreated++;
        }
        // One post goes for good; its likes stay and keep being counted on its read-model item.
        Post gone = posts.get(1);
        writer.delete("TOPIC#" + gone.topic(), "POST#" + gone.id());
        deletedForGood++;
    }

    int deletedForGood() {
        return deletedForGood;
    }

    private Map<String, AttributeValue> postItem(Post post) {
        return SourceTableWriter.item("TOPIC#" + post.topic(), "POST#" + post.id(), "Post",
                "title", "Post " + post.id(),
                "author", prefix + "u" + (1 + Math.floorMod(post.id().hashCode(), 50)),
                "createdAt", EPOCH.minusSeconds(86_400L * (1 + random.nextInt(30))).toString());
    }

    private Map<String, AttributeValue> likeItem(String user, Post post) {
        return SourceTableWriter.item("USER#" + user, "LIKE#" + post.id(), "Like",
                "topic", post.topic(),
                "likedAt", EPOCH.plusSeconds(random.nextInt(30 * 86_400)).toString());
    }
}
