package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A segment or subsegment taken out of a document, with the parent it hangs under: the embedding entity for an
 * embedded subsegment, {@code parent_id} for a top-level document. Its {@code fields} are the entity's own JSON
 * without the {@code subsegments} array.
 */
record Entity(String id, String parentId, boolean segment, boolean inProgress, ObjectNode fields) {

    /** The document's own entity first, then its embedded subsegments depth-first. */
    static List<Entity> flatten(JsonNode document) {
        List<Entity> entities = new ArrayList<>();
        boolean segment = !"subsegment".equals(document.path("type").asText());
        String parentId = document.hasNonNull("parent_id") ? document.get("parent_id").asText() : null;
        collect(document, parentId, segment, entities);
        return entities;
    }

    private static void collect(JsonNode node, String parentId, boolean segment, List<Entity> into) {
        ObjectNode fields = node.deepCopy();
        fields.remove("subsegments");
        String id = node.path("id").asText();
        into.add(new Entity(id, parentId, segment, isInProgress(node), fields));
        for (JsonNode child : node.path("subsegments")) {
            collect(child, id, false, into);
        }
    }

    static boolean isInProgress(JsonNode node) {
        return node.path("in_progress").asBoolean(false) && !node.has("end_time");
    }
}
