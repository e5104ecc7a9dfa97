package io.projector.projections;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.Write;
import java.util.List;
import java.util.Set;

/**
 * Likes from both sides: the posts a user liked, and the users who liked a post. Each Like (PK
 * {@code USER#<userId>}, SK {@code LIKE#<postId>}) is copied to two items:
 *
 * <ul>
 *   <li>PK {@code USER#<userId>}, SK {@code LIKED#<postId>}: topic, likedAt</li>
 *   <li>PK {@code POST#<postId>}, SK {@code LIKER#<userId>}: likedAt</li>
 * </ul>
 *
 * <p>Both keys come from the Like's own key, which never changes, so an INSERT or MODIFY puts both
 * copies and a REMOVE (an unlike) deletes both. See {@code projections/KEYS.md}.
 */
public final class UserLikesProjection implements Projection {

    @Override
    public String name() {
        return "user-likes";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of(PostLikesProjection.LIKE);
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        if (event.newImage().isPresent()) {
            Item like = event.newImage().get();
            String likedAt = like.string("likedAt");
            return List.of(
                    Write.put(likedKey(like)).with("topic", like.string("topic")).with("likedAt", likedAt),
                    Write.put(likerKey(like)).with("likedAt", likedAt));
        }
        // An unlike: only the key is read, so a broken image cannot keep its copies alive.
        Item old = event.oldImage().orElseThrow();
        return List.of(Write.delete(likedKey(old)), Write.delete(likerKey(old)));
    }

    private static ItemKey likedKey(Item like) {
        return ItemKey.of("USER#" + userId(like), "LIKED#" + postId(like));
    }

    private static ItemKey likerKey(Item like) {
        return ItemKey.of("POST#" + postId(like), "LIKER#" + userId(like));
    }

    private static String userId(Item like) {
        return SourceIds.suffix(like, "PK", "USER#");
    }

    private static String postId(Item like) {
        return SourceIds.suffix(like, "SK", "LIKE#");
    }
}
