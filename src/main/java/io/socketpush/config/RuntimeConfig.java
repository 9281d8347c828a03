package io.socketpush.config;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * The node config as it is now: the startup config plus runtime options set cluster-wide with
 * {@code cluster.setConfig}. Readers get the current {@link NodeConfig} from any thread.
 */
public final class RuntimeConfig {
  /** Options that may change at runtime, by section. Ports, hosts and roles need a restart. */
  public static final Map<String, Set<String>> RUNTIME_KEYS = Map.of(
      "edge", Set.of("authTimeout", "removeUserAfterDisconnectTimeout", "publicChannels", "maxFrameSize",
          "maxWriteQueueSize", "maxRegistrationsPerSocket", "allowedOrigins", "maxFramesPerSecond", "maxSocketsPerUser",
          "maxAddressLength", "pingTimeout", "authFailuresPerIp", "authFailuresPerUser", "authBackoffMax",
          "maxUnauthenticatedPerIp", "maxQueuedBytes"),
      "cluster", Set.of("listLimit", "antiEntropyInterval"),
      "logging", Set.of("level"));

  private final JsonObject startup;
  private volatile NodeConfig current;
  private volatile JsonObject runtime = new JsonObject();

  public RuntimeConfig(NodeConfig startup) {
    this.startup = startup.source();
    this.current = startup;
  }

  public NodeConfig get() {
    return current;
  }

  /** The runtime options in force. */
  public JsonObject runtime() {
    return runtime.copy();
  }

  /**
   * Checks runtime options without applying them; throws IllegalArgumentException naming the bad option.
   */
  public static JsonObject validate(JsonObject options, NodeConfig base) {
    if (options == null) {
      throw new IllegalArgumentException("config is required");
    }
    for (String section : options.fieldNames()) {
      Set<String> keys = RUNTIME_KEYS.get(section);
      if (keys == null) {
        throw new IllegalArgumentException("section " + section + " cannot change at runtime (runtime sections: edge, cluster, logging)");
      }
      Object v = options.getValue(section);
      if (v == null) {
        continue; // setConfig: remove the section's runtime options
      }
      if (!(v instanceof JsonObject o)) {
        throw new IllegalArgumentException(section + " must be an object");
      }
      for (String k : o.fieldNames()) {
        if (!keys.contains(k)) {
          throw new IllegalArgumentException("option " + section + "." + k + " cannot change at runtime (allowed: " + keys + ")");
        }
      }
    }
    NodeConfig.from(merge(base.source(), mergeOptions(new JsonObject(), options))); // type and range checks, naming the option
    return options.copy();
  }

  /**
   * Runtime options after a change: {@code change} merged into {@code current} option by option (a section
   * not mentioned, or an option not mentioned, keeps its value); a null option or section removes it, so the
   * startup value applies again.
   */
  public static JsonObject mergeOptions(JsonObject current, JsonObject change) {
    JsonObject out = current.copy();
    for (String section : change.fieldNames()) {
      Object v = change.getValue(section);
      if (v == null) {
        out.remove(section);
        continue;
      }
      JsonObject s = out.getJsonObject(section, new JsonObject()).copy();
      ((JsonObject) v).forEach(e -> {
        if (e.getValue() == null) {
          s.remove(e.getKey());
        } else {
          s.put(e.getKey(), e.getValue());
        }
      });
      if (s.isEmpty()) {
        out.remove(section);
      } else {
        out.put(section, s);
      }
    }
    return out;
  }

  /** Applies validated runtime options on top of the startup config. */
  public void apply(JsonObject options) {
    JsonObject merged = merge(startup, options);
    if (!merged.containsKey("nodeId")) {
      merged.put("nodeId", current.nodeId());
    }
    current = NodeConfig.from(merged);
    runtime = options.copy();
  }

  private static JsonObject merge(JsonObject base, JsonObject options) {
    JsonObject out = base.copy();
    for (String section : options.fieldNames()) {
      JsonObject s = out.getJsonObject(section, new JsonObject()).copy();
      s.mergeIn(options.getJsonObject(section));
      out.put(section, s);
    }
    return out;
  }
}
