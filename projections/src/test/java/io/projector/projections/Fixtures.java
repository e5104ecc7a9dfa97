package io.projector.projections;

import java.util.LinkedHashMap;
import java.util.Map;

/** Source items of the reference domains. */
final class Fixtures {

    private Fixtures() {
    }

    static Map<String, Object> post(String topic, String postId, String title, String author) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "TOPIC#" + topic);
        m.put("SK", "POST#" + postId);
        m.put("type", "Post");
        m.put("title", title);
        m.put("author", author);
        m.put("createdAt", "2024-05-01T10:00:00Z");
        return m;
    }

    static Map<String, Object> like(String userId, String postId, String topic, String likedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "USER#" + userId);
        m.put("SK", "LIKE#" + postId);
        m.put("type", "Like");
        m.put("topic", topic);
        m.put("likedAt", likedAt);
        return m;
    }

    static Map<String, Object> order(String id, String customerId, String status, int total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "ORDER#" + id);
        m.put("SK", "ORDER");
        m.put("type", "Order");
        m.put("customerId", customerId);
        m.put("orderDate", "2024-03-05");
        m.put("status", status);
        m.put("total", total);
        return m;
    }
}
