package dev.xraybatch.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The problems found while reading the configuration, each one line that says where, what is wrong and what to
 * do. In the file: {@code xray-batch.yaml:LINE:COLUMN pointcuts[2].methods: message} (1-based, as editors count).
 */
public final class Problems {
    private final List<String> messages = new ArrayList<>();
    private String fileName = "xray-batch.yaml";

    void setFileName(String fileName) {
        this.fileName = fileName;
    }

    /** A problem at a node of the YAML file; {@code path} is the node's path, e.g. {@code pointcuts[2].methods}. */
    public void at(Node node, String path, String message) {
        messages.add(location(node.getStartMark()) + " " + path + ": " + message);
    }

    /** A problem in the file as a whole (no node to point at), e.g. a summary. */
    void inFile(String message) {
        messages.add(fileName + ": " + message);
    }

    /** A problem at a mark that has no node, e.g. where the YAML stopped parsing. */
    void atMark(Mark mark, String message) {
        messages.add(location(mark) + ": " + message);
    }

    /** A problem outside the file: an agent argument, a system property, an environment variable. */
    void add(String message) {
        messages.add(message);
    }

    public String fileName() {
        return fileName;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    public int size() {
        return messages.size();
    }

    public List<String> messages() {
        return Collections.unmodifiableList(messages);
    }

    private String location(Mark mark) {
        if (mark == null) {
            return fileName;
        }
        return fileName + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }
}
