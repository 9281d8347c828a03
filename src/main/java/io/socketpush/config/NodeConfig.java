package io.socketpush.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The typed, validated configuration of one node, built from {@code conf/*.json}. Every option has a
 * default, a type and a doc line ({@link #describe()}); an unknown key or a bad value fails with a message
 * naming the option.
 */
public final class NodeConfig {

  /** Roles a node can run; one verticle each. */
  public enum Role {
    EDGE, AUTH, USER, CHANNEL, MANAGEMENT;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
      for (Role r : values()) {
        if (r.id().equals(s)) {
          return r;
        }
      }
      throw new IllegalArgumentException("unknown role '" + s + "' (known: edge, auth, user, channel, management)");
    }
  }

  static final List<Option> EDGE = List.of(
      Option.string("host", "0.0.0.0", "Interface the client port binds to."),
      Option.integer("port", 8080, 0, 65535, "Client port (SockJS at /eventbus, static webroot)."),
      Option.string("publicUrl", null, "URL clients use to reach this edge; default http://127.0.0.1:<port>."),
      Option.longValue("authTimeout", 10_000, 100, 3_600_000, "Milliseconds a socket may stay unauthenticated before it is closed."),
      Option.longValue("removeUserAfterDisconnectTimeout", 20_000, 0, 86_400_000,
          "Milliseconds after a user's last socket closed cluster-wide before the user is unsubscribed from all channels."),
      Option.strings("publicChannels", new JsonArray(), "Channels any authenticated socket may register without a subscription."),
      Option.longValue("pingTimeout", 60_000, 1_000, 3_600_000, "SockJS heartbeat/session timeout in milliseconds."),
      Option.integer("maxFrameSize", 65_536, 256, 16 * 1024 * 1024, "Largest client frame accepted, in bytes."),
      Option.integer("maxWriteQueueSize", 1_048_576, 1_024, 256 * 1024 * 1024,
          "Bytes queued for one slow socket before it is closed as a slow consumer."),
      Option.integer("maxRegistrationsPerSocket", 256, 1, 100_000, "Addresses one socket may register."),
      Option.integer("maxFramesPerSecond", 100, 1, 1_000_000, "Frames one socket may send per second; the excess is dropped with one limit_exceeded error."),
      Option.integer("maxSocketsPerUser", 32, 1, 100_000, "Open sockets one user may hold on one edge node."),
      Option.integer("maxAddressLength", 256, 16, 4_096, "Longest address a client frame may carry."),
      Option.integer("authFailuresPerIp", 20, 1, 1_000_000,
          "Failed socket authentications one client IP may make before each further one blocks it for a doubling backoff (err rate_limited)."),
      Option.integer("authFailuresPerUser", 10, 1, 1_000_000,
          "Failed socket authentications for one userId (from any IP) before each further one blocks it for a doubling backoff."),
      Option.longValue("authBackoffMax", 60_000, 1_000, 3_600_000,
          "Longest auth backoff in milliseconds (it starts at 1 s and doubles); counts are forgotten after 10x this without failures."),
      Option.integer("maxUnauthenticatedPerIp", 1_000, 1, 1_000_000,
          "Sockets one client IP may hold open before they authenticate; more are closed at once (code 4006)."),
      Option.longValue("maxQueuedBytes", 268_435_456L, 1_048_576L, 1L << 40,
          "Bytes queued for all slow sockets of this node together; beyond it the sockets with the most queued bytes are closed."),
      Option.string("tlsCertPath", null, "PEM certificate (chain) file: serve the client port over TLS (https/wss)."),
      Option.string("tlsKeyPath", null, "PEM private key file for tlsCertPath."),
      Option.strings("allowedOrigins", new JsonArray(), "Browser origins allowed to open sockets besides the edge's own (pages it serves itself); \"*\" allows any. Empty: only the own origin. Clients that send no Origin (not browsers) always may."));

  static final List<Option> MANAGEMENT = List.of(
      Option.string("host", "127.0.0.1", "Interface the admin port binds to (loopback by default)."),
      Option.integer("port", 8181, 0, 65535, "Admin port: management API, UI, health."),
      Option.string("publicUrl", null, "URL of this node's admin port; default http://127.0.0.1:<port>."),
      Option.strings("apiKeys", new JsonArray(), "API keys allowed to call every method; empty: no key needed."),
      Option.strings("readOnlyApiKeys", new JsonArray(), "API keys allowed to call list/get/status methods only."),
      Option.strings("allowedOrigins", new JsonArray(),
          "Browser origins besides the admin port's own that may call the API (cross-site requests are refused with 403)."),
      Option.strings("allowedHosts", new JsonArray(),
          "Host names the admin port answers to (DNS rebinding); empty: the bind address, localhost, 127.0.0.1, ::1 and publicUrl's host; \"*\": any."),
      Option.integer("maxBodySize", 1_048_576, 1_024, 64 * 1024 * 1024, "Largest request body accepted, in bytes."),
      Option.string("tlsCertPath", null, "PEM certificate (chain) file: serve the admin port over TLS."),
      Option.string("tlsKeyPath", null, "PEM private key file for tlsCertPath."));

  static final List<Option> CLUSTER = List.of(
      Option.longValue("heartbeatInterval", 1_000, 100, 60_000, "Milliseconds between node heartbeats."),
      Option.longValue("nodeTimeout", 5_000, 500, 600_000, "Milliseconds without heartbeat before a node leaves the rings."),
      Option.longValue("requestTimeout", 5_000, 100, 600_000, "Timeout of service calls between nodes, in milliseconds."),
      Option.longValue("antiEntropyInterval", 10_000, 500, 3_600_000, "Milliseconds between edges' full re-announcements."),
      Option.bool("localCalls", true,
          "Calls to this node's own service shards and edge go straight to their event loop instead of over the event bus (no codec, reply consumer or timer per call); false: always the event bus (tests that intercept it)."),
      Option.integer("virtualNodes", 128, 1, 4_096, "Virtual nodes per member on each hash ring."),
      Option.integer("listLimit", 1_000, 1, 1_000_000, "Largest page (and default page size) of listAll, getSubscribers and getSubscriptions."),
      Option.string("secretFile", null,
          "File holding the cluster secret (env SOCKETPUSH_CLUSTER_SECRET wins): JGroups encryption and event-bus TLS keys derive from it."),
      Option.bool("insecure", false,
          "Allow a cluster without a secret on a non-loopback address (anyone reaching the cluster ports can join)."),
      Option.string("tlsCertPath", null, "PEM certificate of this node for the event bus (signed by tlsCaPath); default: derived from the secret."),
      Option.string("tlsKeyPath", null, "PEM private key for cluster.tlsCertPath."),
      Option.string("tlsCaPath", null, "PEM certificate of the cluster CA: the only issuer the event bus trusts (mutual TLS)."));

  static final List<Option> LOGGING = List.of(
      Option.string("level", "INFO", "Log level of socket-push's own loggers (io.socketpush): TRACE, DEBUG, INFO, WARN, ERROR; changeable at runtime."));

  static final List<Option> TOKENS = List.of(
      Option.string("secret", null, "HS256 shared secret (at least 32 characters) for connection and subscription tokens; prefer tokens.secretEnv."),
      Option.string("secretEnv", null, "Name of an environment variable holding the HS256 secret (wins over tokens.secret)."),
      Option.strings("publicKeys", new JsonArray(),
          "PEM public key files (RSA: RS256, EC P-256: ES256); the file name without .pem is the key's kid."),
      Option.string("jwks", null, "JWKS (RFC 7517) file or http(s) URL with RS256/ES256 public keys (kid from each key), loaded at start; a URL is fetched again (at most once a minute) for an unknown kid."),
      Option.longValue("leeway", 5, 0, 3_600, "Seconds of clock skew allowed on exp, nbf and iat."),
      Option.string("audience", null, "When set, tokens must carry this aud."),
      Option.string("issuer", null, "When set, tokens must carry this iss."));

  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
  private static final Set<String> TOP = Set.of("nodeId", "roles", "edge", "management", "cluster", "logging", "streams", "tokens", "events");

  private final String nodeId;
  private final EnumSet<Role> roles;
  private final Section edge;
  private final EdgeConfig edgeConfig;
  private final Section management;
  private final ManagementConfig managementConfig;
  private final Section cluster;
  private final ClusterConfig clusterConfig;
  private final Section logging;
  private final LoggingConfig loggingConfig;
  private final StreamRules streams;
  private final Section tokens;
  private final TokensConfig tokensConfig;
  private final EventsConfig events;
  private final JsonObject source;

  private NodeConfig(JsonObject json) {
    List<String> errors = new ArrayList<>();
    for (String k : json.fieldNames()) {
      if (!TOP.contains(k)) {
        errors.add("unknown option " + k);
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid config: " + String.join("; ", errors));
    }
    Object id = json.getValue("nodeId");
    if (id != null && !(id instanceof String s && s.matches("[A-Za-z0-9_.:-]{1,64}"))) {
      throw new IllegalArgumentException("invalid config: nodeId must be 1-64 characters of [A-Za-z0-9_.:-]");
    }
    nodeId = id != null ? (String) id : "node-" + UUID.randomUUID().toString().substring(0, 8);
    Object r = json.getValue("roles");
    roles = EnumSet.noneOf(Role.class);
    if (r == null) {
      roles.addAll(EnumSet.allOf(Role.class));
    } else if (r instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s)) {
          throw new IllegalArgumentException("invalid config: roles must be an array of strings");
        }
        try {
          roles.add(Role.parse(s));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("invalid config: roles: " + e.getMessage());
        }
      }
    } else {
      throw new IllegalArgumentException("invalid config: roles must be an array of strings");
    }
    edge = new Section("edge", EDGE, object(json, "edge"));
    edgeConfig = EdgeConfig.from(edge);
    management = new Section("management", MANAGEMENT, object(json, "management"));
    managementConfig = ManagementConfig.from(management);
    cluster = new Section("cluster", CLUSTER, object(json, "cluster"));
    clusterConfig = ClusterConfig.from(cluster);
    logging = new Section("logging", LOGGING, object(json, "logging"));
    loggingConfig = LoggingConfig.from(logging);
    streams = StreamRules.from(object(json, "streams"));
    tokens = new Section("tokens", TOKENS, object(json, "tokens"));
    tokensConfig = TokensConfig.from(tokens);
    String secret = tokens.string("secret");
    if (secret != null && secret.length() < 32) {
      throw new IllegalArgumentException("invalid config: tokens.secret must be at least 32 characters (HS256 needs a 256-bit key)");
    }
    events = EventsConfig.from(object(json, "events"));
    if (!LEVELS.contains(logging.string("level").toUpperCase(Locale.ROOT))) {
      throw new IllegalArgumentException("invalid config: logging.level must be one of " + new java.util.TreeSet<>(LEVELS));
    }
    for (String k : List.of("apiKeys", "readOnlyApiKeys")) {
      for (String key : management.strings(k)) {
        if (key.isBlank() || !key.equals(key.trim())) {
          throw new IllegalArgumentException("invalid config: management." + k
              + " must not contain blank keys or keys with leading/trailing spaces");
        }
      }
    }
    int clusterTls = (cluster.string("tlsCertPath") == null ? 0 : 1) + (cluster.string("tlsKeyPath") == null ? 0 : 1)
        + (cluster.string("tlsCaPath") == null ? 0 : 1);
    if (clusterTls != 0 && clusterTls != 3) {
      throw new IllegalArgumentException("invalid config: cluster.tlsCertPath, cluster.tlsKeyPath and cluster.tlsCaPath must be set together");
    }
    for (Section sec : List.of(edge, management)) {
      if ((sec.string("tlsCertPath") == null) != (sec.string("tlsKeyPath") == null)) {
        throw new IllegalArgumentException("invalid config: " + sec.name() + ".tlsCertPath and " + sec.name()
            + ".tlsKeyPath must be set together");
      }
    }
    source = json.copy();
  }

  private static JsonObject object(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v != null && !(v instanceof JsonObject)) {
      throw new IllegalArgumentException("invalid config: " + key + " must be an object");
    }
    return (JsonObject) v;
  }

  /** Parses and validates a node config. */
  public static NodeConfig from(JsonObject json) {
    return new NodeConfig(json == null ? new JsonObject() : json);
  }

  public String nodeId() {
    return nodeId;
  }

  public Set<Role> roles() {
    return roles;
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** The client port and the limits of its sockets. */
  public EdgeConfig edge() {
    return edgeConfig;
  }

  public ManagementConfig management() {
    return managementConfig;
  }

  public ClusterConfig cluster() {
    return clusterConfig;
  }

  public LoggingConfig logging() {
    return loggingConfig;
  }

  /** Webhooks of lifecycle events. */
  public EventsConfig events() {
    return events;
  }

  /** History rules of the streams. */
  public StreamRules streams() {
    return streams;
  }

  /** Token auth: keys and checks of connection and subscription JWTs. */
  public TokensConfig tokens() {
    return tokensConfig;
  }

  /** URL clients use to reach this node's edge, or null when it runs no edge. */
  public String clientUrl(int boundPort) {
    if (!has(Role.EDGE)) {
      return null;
    }
    String u = edgeConfig.publicUrl();
    return u != null ? u : (edgeConfig.tlsCertPath() != null ? "https" : "http") + "://127.0.0.1:" + boundPort;
  }

  /** URL of this node's admin port, or null when it runs no management role. */
  public String adminUrl(int boundPort) {
    if (!has(Role.MANAGEMENT)) {
      return null;
    }
    String u = managementConfig.publicUrl();
    return u != null ? u : (managementConfig.tlsCertPath() != null ? "https" : "http") + "://127.0.0.1:" + boundPort;
  }

  /** Effective config: everything, defaults filled in. */
  public JsonObject toJson() {
    JsonArray r = new JsonArray();
    roles.forEach(x -> r.add(x.id()));
    return new JsonObject().put("nodeId", nodeId).put("roles", r).put("edge", edge.toJson())
        .put("management", management.toJson().put("apiKeys", redact(management.strings("apiKeys")))
            .put("readOnlyApiKeys", redact(management.strings("readOnlyApiKeys"))))
        .put("cluster", cluster.toJson()).put("logging", logging.toJson())
        .put("streams", streams.toJson())
        .put("tokens", tokens.toJson().put("secret", tokens.string("secret") == null ? null : "***"))
        .put("events", events.toJson());
  }

  private static JsonArray redact(List<String> keys) {
    JsonArray a = new JsonArray();
    keys.forEach(k -> a.add("***"));
    return a;
  }

  /** The config as given (for re-validation of runtime changes). */
  public JsonObject source() {
    return source.copy();
  }

  /** Docs of every option. */
  public static JsonArray describe() {
    JsonArray out = new JsonArray();
    out.add(new JsonObject().put("name", "nodeId").put("type", "string").put("default", "node-<random>")
        .put("description", "Unique id of this node in the cluster; keep it across restarts."));
    out.add(new JsonObject().put("name", "roles").put("type", "string_list")
        .put("default", new JsonArray(List.of("edge", "auth", "user", "channel", "management")))
        .put("description", "Roles this node runs."));
    EDGE.forEach(o -> out.add(o.describe("edge")));
    MANAGEMENT.forEach(o -> out.add(o.describe("management")));
    CLUSTER.forEach(o -> out.add(o.describe("cluster")));
    LOGGING.forEach(o -> out.add(o.describe("logging")));
    out.addAll(StreamRules.describe());
    TOKENS.forEach(o -> out.add(o.describe("tokens")));
    out.addAll(EventsConfig.describe());
    return out;
  }
}
