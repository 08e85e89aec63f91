package io.millrace.server.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A YAML document flattened to dotted keys ({@code rtmp.port}), each value remembering the file and
 * line it came from, so that every error can name both. Later layers override earlier ones key by key.
 */
public final class ConfigTree {

    /**
     * One value with its origin: a scalar ({@code items} null), or a list of scalars ({@code items} the
     * entries, {@code text} them joined with ", " for messages).
     */
    public record Value(String text, String source, int line, List<String> items) {
        public Value {
            items = items == null ? null : List.copyOf(items);
        }

        /** A scalar. */
        public Value(String text, String source, int line) {
            this(text, source, line, null);
        }

        public boolean isList() {
            return items != null;
        }

        public String where() {
            return source + " line " + line;
        }
    }

    private final Map<String, Value> values = new LinkedHashMap<>();
    private Set<String> opaque = Set.of();

    /** Parses one YAML document; a syntax error names the file and line. */
    public static ConfigTree parse(Reader reader, String source) {
        return parse(reader, source, Set.of());
    }

    /**
     * Parses one YAML document whose top-level keys in {@code opaque} are free-form (an application's
     * {@code settings}): each is kept as one value naming its line, not flattened nor checked.
     */
    public static ConfigTree parse(Reader reader, String source, Set<String> opaque) {
        ConfigTree tree = new ConfigTree();
        tree.opaque = opaque;
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new ConfigException(source + " line " + line + ": not valid YAML: " + e.getProblem());
        } catch (RuntimeException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return tree; // empty file
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new ConfigException(source + " line " + (root.getStartMark().getLine() + 1)
                    + ": the top level must be a mapping of keys to values");
        }
        tree.flatten("", mapping, source);
        return tree;
    }

    private void flatten(String prefix, MappingNode mapping, String source) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw new ConfigException(source + " line " + (tuple.getKeyNode().getStartMark().getLine() + 1)
                        + ": keys must be plain names");
            }
            String key = prefix.isEmpty() ? keyNode.getValue() : prefix + "." + keyNode.getValue();
            Node valueNode = tuple.getValueNode();
            int line = valueNode.getStartMark().getLine() + 1;
            if (opaque.contains(key)) {
                values.put(key, new Value("", source, line));
                continue;
            }
            if (valueNode instanceof MappingNode child) {
                if (child.getValue().isEmpty()) {
                    values.put(key + ".", new Value("", source, line)); // an empty section still declares itself
                }
                flatten(key, child, source);
            } else if (valueNode instanceof ScalarNode scalar) {
                values.put(key, new Value(scalar.getValue(), source, line));
            } else if (valueNode instanceof SequenceNode sequence) {
                // A list of plain values (e.g. folders); whether a key takes one is the loader's business.
                List<String> items = new ArrayList<>();
                for (Node item : sequence.getValue()) {
                    if (!(item instanceof ScalarNode scalarItem)) {
                        throw new ConfigException(source + " line " + (item.getStartMark().getLine() + 1) + ": "
                                + key + ": a list here holds plain values only");
                    }
                    items.add(scalarItem.getValue());
                }
                values.put(key, new Value(String.join(", ", items), source, line, items));
            }
        }
    }

    /** This tree with every key of {@code overrides} replacing or adding to its own. */
    public ConfigTree overriddenBy(ConfigTree overrides) {
        ConfigTree merged = new ConfigTree();
        merged.values.putAll(values);
        merged.values.putAll(overrides.values);
        return merged;
    }

    /** This tree's keys with {@code prefix} put before each ({@code type} becomes {@code applications.chat.type}). */
    public ConfigTree prefixed(String prefix) {
        ConfigTree t = new ConfigTree();
        values.forEach((k, v) -> t.values.put(prefix + k, v));
        return t;
    }

    /** Adds a key (a value the loader supplies, e.g. a default that depends on where the file was). */
    public void put(String key, Value value) {
        values.put(key, value);
    }

    public Value get(String key) {
        return values.get(key);
    }

    public Map<String, Value> entries() {
        return values;
    }

    /** The distinct names directly under {@code prefix} (e.g. the application names under "applications"). */
    public Set<String> childNames(String prefix) {
        Set<String> names = new TreeSet<>();
        String p = prefix + ".";
        for (String key : values.keySet()) {
            if (key.startsWith(p)) {
                String rest = key.substring(p.length());
                int dot = rest.indexOf('.');
                names.add(dot < 0 ? rest : rest.substring(0, dot));
            }
        }
        names.remove("");
        return names;
    }
}
