package io.trtfleet.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A node of a YAML configuration file that knows its file and key path, so every error names both
 * ({@code conf/fleet.yaml: pools[1].name: ...}). Jackson's own binding errors name a Java type, not
 * the key the user typed: we walk the tree instead.
 */
final class YamlConf {

  private final Path file;
  private final String path;
  private final JsonNode node;

  private YamlConf(Path file, String path, JsonNode node) {
    this.file = file;
    this.path = path;
    this.node = node;
  }

  static YamlConf load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TrtfleetException(file + ": no such file: pass the path of the YAML configuration");
    }
    try {
      JsonNode root = new YAMLMapper().readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new TrtfleetException(file + ": expected a YAML mapping at the top level");
      }
      return new YamlConf(file, "", root);
    } catch (IOException e) {
      throw new TrtfleetException(file + ": not valid YAML (" + Messages.firstLine(e.getMessage()) + ")", e);
    }
  }

  /** Fails on any key outside {@code allowed}: a typo must not silently fall back to a default. */
  YamlConf onlyKeys(Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw fail(k, "unknown key (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
    return this;
  }

  boolean has(String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  YamlConf child(String key) {
    if (!has(key)) {
      throw fail(key, "missing");
    }
    return new YamlConf(file, keyPath(key), node.get(key));
  }

  YamlConf mapping(String key) {
    YamlConf c = child(key);
    if (!c.node.isObject()) {
      throw fail(key, "expected a mapping");
    }
    return c;
  }

  String string(String key) {
    JsonNode v = child(key).node;
    if (!v.isValueNode() || v.asText().isBlank()) {
      throw fail(key, "expected a non-empty value");
    }
    return v.asText().trim();
  }

  String string(String key, String dflt) {
    return has(key) ? string(key) : dflt;
  }

  double number(String key) {
    JsonNode v = child(key).node;
    if (!v.isNumber()) {
      throw fail(key, "expected a number, got '" + v.asText() + "'");
    }
    return v.asDouble();
  }

  long integer(String key, long dflt) {
    if (!has(key)) {
      return dflt;
    }
    JsonNode v = node.get(key);
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw fail(key, "expected an integer, got '" + v.asText() + "'");
    }
    return v.asLong();
  }

  List<YamlConf> list(String key) {
    YamlConf c = child(key);
    if (!c.node.isArray() || c.node.isEmpty()) {
      throw fail(key, "expected a non-empty list");
    }
    List<YamlConf> out = new ArrayList<>();
    for (int i = 0; i < c.node.size(); i++) {
      out.add(new YamlConf(file, keyPath(key) + "[" + i + "]", c.node.get(i)));
    }
    return out;
  }

  List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    for (YamlConf item : list(key)) {
      if (!item.node.isValueNode() || item.node.asText().isBlank()) {
        throw item.failHere("expected a non-empty value");
      }
      out.add(item.node.asText().trim());
    }
    return out;
  }

  long[] longs() {
    if (!node.isArray() || node.isEmpty()) {
      throw failHere("expected a list of integers");
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      if (!node.get(i).isIntegralNumber()) {
        throw failHere("expected a list of integers");
      }
      out[i] = node.get(i).asLong();
    }
    return out;
  }

  List<String> keys() {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  boolean isMapping() {
    return node.isObject();
  }

  /** A URI or path; a relative path is taken relative to this file's folder, so conf works from any cwd. */
  String uri(String key) {
    String v = string(key);
    if (v.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return v;
    }
    Path p = Path.of(v);
    return (p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p)).normalize().toString();
  }

  /** Parses a value with a converter whose {@link IllegalArgumentException}/{@link TrtfleetException} names no key. */
  <T> T parse(String key, Function<String, T> parser) {
    String v = string(key);
    try {
      return parser.apply(v);
    } catch (IllegalArgumentException | TrtfleetException e) {
      throw fail(key, Messages.firstLine(e.getMessage()));
    }
  }

  /** As {@link #parse(String, Function)}, with a default when the key is absent and the values it takes. */
  <T> T parse(String key, Function<String, T> parser, T dflt, String expected) {
    if (!has(key)) {
      return dflt;
    }
    try {
      return parser.apply(string(key));
    } catch (IllegalArgumentException | TrtfleetException e) {
      throw fail(key, "'" + string(key) + "' is not one of: " + expected);
    }
  }

  TrtfleetException fail(String key, String message) {
    return new TrtfleetException(file + ": " + keyPath(key) + ": " + message);
  }

  TrtfleetException failHere(String message) {
    return new TrtfleetException(file + ": " + (path.isEmpty() ? "(top level)" : path) + ": " + message);
  }

  Path file() {
    return file;
  }

  private String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

}
