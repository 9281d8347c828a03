package io.socketpush.management;

import static io.socketpush.management.ApiMethod.Type.JSON;
import static io.socketpush.management.ApiMethod.Type.OBJECT;
import static io.socketpush.management.ApiMethod.Type.STRING;

import io.socketpush.error.Failure;
import io.socketpush.management.ApiMethod.Param;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The management API: every public service method with its parameters, in one table. The names are the
 * contract, identical to the Java interfaces (a test checks the two agree), HTTP and the PHP client.
 */
public final class ApiCatalog {
  private static final Param USER = new Param("userId", STRING, "The user id (numeric ids are accepted as strings).", false, true);
  private static final Param USER_KEY = new Param("userId", STRING, "The user id (numeric ids are accepted as strings).", true, true);
  private static final Param CHANNEL_KEY = new Param("channelId", STRING, "The channel id.", true, true);
  private static final Param MESSAGE = new Param("message", JSON, "Any JSON value: object, array, string, number, boolean.", false, true);

  private static final Map<String, String> SERVICES = new LinkedHashMap<>();
  private static final Map<String, Map<String, ApiMethod>> METHODS = new LinkedHashMap<>();

  static {
    service("auth", "Sessions the backend registers for its users; sockets authenticate with them. Sharded by userId.");
    add("auth", "set", "Registers a session of a user, who may then connect with it.", false,
        List.of(USER_KEY, new Param("sessionId", STRING, "The session id the browser will present.", false, true)),
        (s, a) -> s.auth().set(a.string("userId"), a.string("sessionId")));
    add("auth", "check", "Checks a session; returns the userId or fails AUTH_FAILED.", true,
        List.of(USER_KEY, new Param("sessionId", STRING, "The session id to check.", false, true)),
        (s, a) -> s.auth().check(a.string("userId"), a.string("sessionId")));
    add("auth", "remove", "Removes every session of a user.", false, List.of(USER_KEY),
        (s, a) -> s.auth().remove(a.string("userId")));

    service("channel", "Channel subscriptions and publishing to channels. Sharded by channelId.");
    add("channel", "subscribe", "Subscribes a user to a channel; applies at once to the user's open sockets.", false,
        List.of(USER, CHANNEL_KEY), (s, a) -> s.channel().subscribe(a.string("userId"), a.string("channelId")));
    add("channel", "unsubscribe", "Unsubscribes a user from a channel.", false,
        List.of(USER, CHANNEL_KEY), (s, a) -> s.channel().unsubscribe(a.string("userId"), a.string("channelId")));
    add("channel", "unsubscribeAll", "Unsubscribes a user from every channel.", false, List.of(USER),
        (s, a) -> s.channel().unsubscribeAll(a.string("userId")));
    add("channel", "getSubscriptions", "Channels a user is subscribed to (at most cluster.listLimit).", true, List.of(USER),
        (s, a) -> s.channel().getSubscriptions(a.string("userId")));
    add("channel", "getSubscribers", "Users subscribed to a channel (at most cluster.listLimit).", true, List.of(CHANNEL_KEY),
        (s, a) -> s.channel().getSubscribers(a.string("channelId")));
    add("channel", "publish", "Publishes a message to every socket of every subscriber; returns the sockets reached.", false,
        List.of(CHANNEL_KEY, MESSAGE), (s, a) -> s.channel().publish(a.string("channelId"), a.message("message")));
    add("channel", "listAll", "Channels with at least one subscriber (at most cluster.listLimit).", true, List.of(),
        (s, a) -> s.channel().listAll());

    service("user", "Presence of users and publishing to one user. Sharded by userId.");
    add("user", "publish", "Publishes a message to every open socket of a user; returns the sockets reached, fails NOT_CONNECTED when none.",
        false, List.of(USER_KEY, MESSAGE), (s, a) -> s.user().publish(a.string("userId"), a.message("message")));
    add("user", "remove", "Closes every socket of a user; returns the sockets closed.", false, List.of(USER_KEY),
        (s, a) -> s.user().remove(a.string("userId")));
    add("user", "getFrontendServer", "Client URLs of the edge nodes holding the user's sockets (empty when offline).", true,
        List.of(USER_KEY), (s, a) -> s.user().getFrontendServer(a.string("userId")));
    add("user", "listAll", "Users with at least one open socket (at most cluster.listLimit).", true, List.of(),
        (s, a) -> s.user().listAll());

    service("cluster", "The cluster: nodes, rings, runtime config.");
    add("cluster", "status", "Nodes, roles, ring versions, shard ownership, connection counts, up since.", true, List.of(),
        (s, a) -> s.cluster(null).status());
    add("cluster", "getConfig", "The effective config of a node (API keys redacted).", true,
        List.of(new Param("nodeId", STRING, "The node; empty for the node answering.", false, false)),
        (s, a) -> s.cluster(null).getConfig(a.string("nodeId")));
    add("cluster", "setConfig", "Stores runtime options cluster-wide and applies them on every node, e.g. {\"edge\":{\"authTimeout\":5000}}.",
        false, List.of(new Param("config", OBJECT, "Runtime options by section.", false, true)),
        (s, a) -> s.cluster(null).setConfig(a.object("config")));
    add("cluster", "distributeConfig", "Makes every node apply the stored runtime config again.", false, List.of(),
        (s, a) -> s.cluster(null).distributeConfig());
  }

  private ApiCatalog() {
  }

  private static void service(String name, String description) {
    SERVICES.put(name, description);
    METHODS.put(name, new LinkedHashMap<>());
  }

  private static void add(String service, String method, String description, boolean readOnly, List<Param> params,
      ApiMethod.Invoker invoker) {
    METHODS.get(service).put(method, new ApiMethod(service, method, description, readOnly, params, invoker));
  }

  /** The method, or null when unknown. */
  public static ApiMethod find(String service, String method) {
    Map<String, ApiMethod> m = METHODS.get(service);
    return m == null ? null : m.get(method);
  }

  /** Every method by service. */
  public static Map<String, Map<String, ApiMethod>> methods() {
    return METHODS;
  }

  /** The self-description served at GET /api. */
  public static JsonObject describe() {
    JsonObject services = new JsonObject();
    SERVICES.forEach((name, desc) -> {
      JsonObject methods = new JsonObject();
      METHODS.get(name).forEach((m, am) -> methods.put(m, am.describe()));
      services.put(name, new JsonObject().put("description", desc).put("methods", methods));
    });
    return new JsonObject().put("name", "socket-push").put("version", "1").put("services", services);
  }

  /**
   * Validates named arguments against a method's parameters; throws a BAD_REQUEST ServiceException naming
   * the parameter.
   */
  public static Args bind(ApiMethod method, JsonObject given) {
    JsonObject in = given == null ? new JsonObject() : given;
    for (String k : in.fieldNames()) {
      if (method.params().stream().noneMatch(p -> p.name().equals(k))) {
        throw Failure.BAD_REQUEST.exception("unknown parameter " + k + " for " + method.service() + "." + method.name());
      }
    }
    JsonObject out = new JsonObject();
    for (Param p : method.params()) {
      if (!in.containsKey(p.name())) {
        if (p.required()) {
          throw Failure.BAD_REQUEST.exception("missing parameter " + p.name());
        }
        continue;
      }
      Object v = in.getValue(p.name());
      switch (p.type()) {
        case STRING -> {
          if (v instanceof String || v == null && !p.required()) {
            out.put(p.name(), v);
          } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !(v instanceof Double && Double.isInfinite((Double) v))) {
            out.put(p.name(), String.valueOf(n.longValue()));
          } else {
            throw Failure.BAD_REQUEST.exception("parameter " + p.name() + " must be a string");
          }
        }
        case OBJECT -> {
          if (!(v instanceof JsonObject)) {
            throw Failure.BAD_REQUEST.exception("parameter " + p.name() + " must be a JSON object");
          }
          out.put(p.name(), v);
        }
        case JSON -> out.put(p.name(), v instanceof JsonArray || v instanceof JsonObject ? v : v);
        default -> throw Failure.INTERNAL.exception("unknown parameter type");
      }
    }
    return new Args(out);
  }
}
