package io.projector.projections;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.Write;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The posts of a topic with their like counts, one item per post, so that one Query of
 * {@code PK = TOPIC#<topic>} lists them:
 *
 * <ul>
 *   <li>PK {@code TOPIC#<topic>}, SK {@code POST#<postId>}: title, author (from the Post), likeCount (from the Likes)</li>
 * </ul>
 *
 * <p>The post and its likes write different attributes of the same item, and never replace or
 * delete it: a Post sets {@code title} and {@code author} ({@link Write#set}, which keeps
 * {@code likeCount}), a Like moves {@code likeCount} by contribution(new image) − contribution(old
 * image). So likes that arrive before their post are counted (the item starts with
 * {@code likeCount} only and gets its title when the post comes), a Like whose {@code topic}
 * changes moves its count from one topic's item to the other's, and deleting a post loses no count
 * of likes that still exist.
 *
 * <p>Deleting a post removes {@code title} and {@code author} and keeps {@code likeCount}, because
 * a projection cannot know the count to put back: the item is then exactly what the remaining
 * likes make of it. Re-creating the post sets them again. See {@code projections/KEYS.md}.
 */
public final class PostLikesProjection implements Projection {

    static final String POST = "Post";
    static final String LIKE = "Like";

    public static final String TITLE = "title";
    public static final String AUTHOR = "author";
    public static final String LIKE_COUNT = "likeCount";

    @Override
    public String name() {
        return "post-likes";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of(POST, LIKE);
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        return POST.equals(event.entityType()) ? post(event) : like(event);
    }

    private static List<Write> post(ChangeEvent event) {
        if (event.newImage().isPresent()) {
            Item post = event.newImage().get();
            ItemKey key = postKey(post);
            // The zero increment makes a post without likes show likeCount = 0; it adds nothing to a count that exists.
            return List.of(
                    Write.set(key).with(TITLE, post.string(TITLE)).with(AUTHOR, post.string(AUTHOR)),
                    Write.increment(key, LIKE_COUNT, 0));
        }
        // Only the key is read from the old image, so a REMOVE of a post with broken attributes still goes through.
        ItemKey key = postKey(event.oldImage().orElseThrow());
        return List.of(Write.set(key).without(TITLE, AUTHOR));
    }

    private static List<Write> like(ChangeEvent event) {
        Map<ItemKey, Integer> deltas = new LinkedHashMap<>();
        event.oldImage().ifPresent(old -> deltas.merge(likedPostKey(old), -1, Integer::sum));
        event.newImage().ifPresent(now -> deltas.merge(likedPostKey(now), +1, Integer::sum));
        List<Write> writes = new ArrayList<>(deltas.size());
        deltas.forEach((key, delta) -> {
            if (delta != 0) {
                writes.add(Write.increment(key, LIKE_COUNT, delta));
            }
        });
        return writes;
    }

    /** A post's item: PK TOPIC#<topic> and SK POST#<postId>, as in the source. */
    private static ItemKey postKey(Item post) {
        return key(SourceIds.suffix(post, "PK", "TOPIC#"), SourceIds.suffix(post, "SK", "POST#"));
    }

    /** The item of the post a Like (PK USER#<userId>, SK LIKE#<postId>, attribute topic) is for. */
    private static ItemKey likedPostKey(Item like) {
        return key(SourceIds.id(like, "topic"), SourceIds.suffix(like, "SK", "LIKE#"));
    }

    static ItemKey key(String topic, String postId) {
        return ItemKey.of("TOPIC#" + topic, "POST#" + postId);
    }
}
