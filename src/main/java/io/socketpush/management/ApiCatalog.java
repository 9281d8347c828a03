package io.socketpush.management;

import static io.socketpush.management.ApiMethod.Result.INTEGER;
import static io.socketpush.management.ApiMethod.Result.NONE;
import static io.socketpush.management.ApiMethod.Result.PAGE;
import static io.socketpush.management.ApiMethod.Result.STRING_LIST;
import static io.socketpush.management.ApiMethod.Type.JSON;
import static io.socketpush.management.ApiMethod.Type.OBJECT;
import static io.socketpush.management.ApiMethod.Type.STRING;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.ClusterService;
import io.socketpush.error.Failure;
import io.socketpush.error.Validate;
import io.socketpush.management.ApiMethod.Param;
import io.socketpush.management.ApiMethod.Result;
import io.socketpush.message.Page;
import io.socketpush.user.UserService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The management API: every public service method with its parameters, in one table. The names are the
 * contract, identical in the Java interfaces (ApiCatalogContractTest checks method and parameter names, types
 * and order against them), over HTTP, in {@code GET /api}, {@code GET /openapi.json} and the generated PHP
 * classes. Descriptions say the same as the interfaces' Javadoc.
 */
public final class ApiCatalog {
  private static final Param USER = new Param("userId", STRING, "The user id (numeric ids are accepted as strings).", false, true);
  private static final Param USER_KEY = new Param("userId", STRING, "The user id (numeric ids are accepted as strings).", true, true);
  private static final Param CHANNEL_KEY = new Param("channelId", STRING, "The channel id.", true, true);
  private static final Param LIMIT = new Param("limit", ApiMethod.Type.INTEGER,
      "Most items in the page; 0 or absent for cluster.listLimit, which is also the maximum.", false, false);
  private static final Param CURSOR = new Param("cursor", STRING,
      "nextCursor of the previous page; absent for the first page.", false, false);
  private static final Param MESSAGE = new Param("message", JSON, "Any JSON value: object, array, string, number, boolean.", false, true);

  private static final String PAGE_DOC = "{\"items\": [...], \"nextCursor\": ...}; pass nextCursor as cursor for "
      + "the next page until it is null (a page may hold fewer items than the limit and still have a next one).";
  private static final Param IDEMPOTENCY_KEY = new Param("idempotencyKey", STRING, "Optional: a retry with the same key "
      + "within the stream's history window is answered with the first attempt's position and 0 sockets and is not"
      + " delivered again (retry 503s with it for exactly-once in the stream).", false, false);
  private static final Param SINCE = new Param("since", STRING,
      "The offset to read after (a 64-bit integer as a string); absent or empty: from the oldest message kept.", false, false);
  private static final Param HISTORY_LIMIT = new Param("limit", ApiMethod.Type.INTEGER,
      "Most messages returned; 0 or absent: as many as the stream keeps.", false, false);

  private static final Map<String, String> SERVICES = new LinkedHashMap<>();
  private static final Map<String, Class<?>> INTERFACES = new LinkedHashMap<>();
  private static final Map<String, Map<String, ApiMethod>> METHODS = new LinkedHashMap<>();

  static {
    service("auth", AuthService.class,
        "Sessions the backend registers for its users; a browser socket authenticates with one. Sharded by userId.");
    add("auth", "set", "Registers a session of a user, who may then connect with it. A user may hold several sessions "
        + "(one per device); the oldest is dropped beyond the per-user cap.", false,
        List.of(USER_KEY, new Param("sessionId", STRING, "The session id the browser will present.", false, true)), NONE,
        (s, a) -> s.auth().set(a.string("userId"), a.string("sessionId")));
    add("auth", "check", "Checks a session; returns the userId, fails AUTH_FAILED when the session is not registered.", true,
        List.of(USER_KEY, new Param("sessionId", STRING, "The session id to check.", false, true)), Result.STRING,
        (s, a) -> s.auth().check(a.string("userId"), a.string("sessionId")));
    add("auth", "remove", "Removes every session of a user; sockets already open stay open (see user.remove).", false,
        List.of(USER_KEY), NONE, (s, a) -> s.auth().remove(a.string("userId")));

    service("channel", ChannelService.class, "Channel subscriptions and publishing to channels. Sharded by channelId.");
    add("channel", "subscribe", "Subscribes a user to a channel; takes effect at once on all of the user's open sockets.", false,
        List.of(USER, CHANNEL_KEY), NONE, (s, a) -> s.channel().subscribe(a.string("userId"), a.string("channelId")));
    add("channel", "unsubscribe", "Unsubscribes a user from a channel.", false,
        List.of(USER, CHANNEL_KEY), NONE, (s, a) -> s.channel().unsubscribe(a.string("userId"), a.string("channelId")));
    add("channel", "unsubscribeAll", "Unsubscribes a user from every channel.", false, List.of(USER), NONE,
        (s, a) -> s.channel().unsubscribeAll(a.string("userId")));
    add("channel", "getSubscriptions", "One page of the channels a user is subscribed to, in the order of subscribing: "
        + PAGE_DOC, true, List.of(USER, LIMIT, CURSOR), PAGE,
        (s, a) -> s.channel().getSubscriptions(a.string("userId"), a.integer("limit"), a.string("cursor")).map(Page::toJson));
    add("channel", "getSubscribers", "One page of the users subscribed to a channel, in the order of subscribing: "
        + PAGE_DOC, true, List.of(CHANNEL_KEY, LIMIT, CURSOR), PAGE,
        (s, a) -> s.channel().getSubscribers(a.string("channelId"), a.integer("limit"), a.string("cursor")).map(Page::toJson));
    add("channel", "publish", "Publishes a message to every socket of every user subscribed to the channel; returns the "
        + "number of sockets reached and the message's position in the channel's stream: {\"sockets\": n, \"epoch\": \"..\", "
        + "\"offset\": \"..\"}. Fails UNAVAILABLE if an edge node holding subscribers did not take it (others may"
        + " have: a retry can reach some sockets twice).", false, List.of(CHANNEL_KEY, MESSAGE, IDEMPOTENCY_KEY), Result.PUBLISH,
        (s, a) -> s.channel().publish(a.string("channelId"), a.message("message"), a.string("idempotencyKey")));
    add("channel", "listAll", "One page of the channels with at least one subscriber: " + PAGE_DOC, true,
        List.of(LIMIT, CURSOR), PAGE, (s, a) -> s.channel().listAll(a.integer("limit"), a.string("cursor")).map(Page::toJson));
    add("channel", "history", "Reads the channel's stream from its history: {\"epoch\", \"top\", \"messages\": [{\"offset\", "
        + "\"message\"}]}, the messages after since, oldest first (epoch null when the stream has no history).", true,
        List.of(CHANNEL_KEY, SINCE, HISTORY_LIMIT), Result.OBJECT,
        (s, a) -> s.channel().history(a.string("channelId"), a.string("since"), a.integer("limit")));
    add("channel", "presence", "One page of the users connected (an open socket anywhere) and subscribed to the channel, "
        + "sorted by userId: {\"items\": [{\"userId\", \"sockets\", \"info\"}], \"nextCursor\": ..}; info is what the "
        + "backend gave the connection (a token's info claim), null for session auth. One message per edge node holding "
        + "subscribers; fails UNAVAILABLE if one does not answer.", true, List.of(CHANNEL_KEY, CURSOR, LIMIT), Result.OBJECT,
        (s, a) -> s.channel().presence(a.string("channelId"), a.string("cursor"), a.integer("limit")));
    add("channel", "presenceStats", "How many users (each once) and sockets are connected and subscribed to the channel, "
        + "cluster-wide: {\"users\": n, \"sockets\": n}. One message per edge node holding subscribers; fails UNAVAILABLE "
        + "if one does not answer.", true, List.of(CHANNEL_KEY), Result.OBJECT,
        (s, a) -> s.channel().presenceStats(a.string("channelId")));

    service("user", UserService.class,
        "Presence of users (which edge nodes hold their sockets) and publishing to one user. Sharded by userId.");
    add("user", "publish", "Publishes a message to every open socket of a user; returns the number of sockets reached "
        + "and the message's position in the user's stream: {\"sockets\": n, \"epoch\": \"..\", \"offset\": \"..\"}; "
        + "a user between sockets (inside removeUserAfterDisconnectTimeout) gets it on resume (0 sockets); "
        + "fails NOT_CONNECTED when the user has no open socket and is not between sockets, UNAVAILABLE if an edge node holding its sockets did not"
        + " take it.", false, List.of(USER_KEY, MESSAGE, IDEMPOTENCY_KEY), Result.PUBLISH,
        (s, a) -> s.user().publish(a.string("userId"), a.message("message"), a.string("idempotencyKey")));
    add("user", "remove", "Closes every socket of a user; returns the number of sockets closed.", false, List.of(USER_KEY),
        INTEGER, (s, a) -> s.user().remove(a.string("userId")));
    add("user", "getFrontendServer", "Client URLs of the edge nodes holding the user's sockets; empty when the user is offline.",
        true, List.of(USER_KEY), STRING_LIST, (s, a) -> s.user().getFrontendServer(a.string("userId")));
    add("user", "listAll", "One page of the users with at least one open socket, sorted by userId: " + PAGE_DOC, true,
        List.of(LIMIT, CURSOR), PAGE, (s, a) -> s.user().listAll(a.integer("limit"), a.string("cursor")).map(Page::toJson));
    add("user", "history", "Reads the user's stream from its history: {\"epoch\", \"top\", \"messages\": [{\"offset\", "
        + "\"message\"}]}, the messages after since, oldest first (epoch null when the stream has no history).", true,
        List.of(USER_KEY, SINCE, HISTORY_LIMIT), Result.OBJECT,
        (s, a) -> s.user().history(a.string("userId"), a.string("since"), a.integer("limit")));

    service("cluster", ClusterService.class,
        "The cluster itself: nodes, roles, shard ownership, and the runtime config every node applies.");
    add("cluster", "status", "Nodes, roles, ring versions, shard ownership, connection counts, up since.", true, List.of(),
        Result.OBJECT, (s, a) -> s.cluster(null).status());
    add("cluster", "getConfig", "The effective config of one node (API keys redacted).", true,
        List.of(new Param("nodeId", STRING, "The node; empty for the node answering.", false, false)), Result.OBJECT,
        (s, a) -> s.cluster(null).getConfig(a.string("nodeId")));
    add("cluster", "setConfig", "Merges runtime options into the cluster-wide runtime config (the edge, cluster and logging "
        + "sections' runtime keys; options not given keep their values, null removes one: the startup value applies again) "
        + "and applies it on every node; returns the whole stored runtime config. Bad options are rejected naming them.", false,
        List.of(new Param("config", OBJECT, "Runtime options by section, e.g. {\"edge\":{\"authTimeout\":5000}}.", false, true)),
        Result.OBJECT, (s, a) -> s.cluster(null).setConfig(a.object("config")));
    add("cluster", "distributeConfig", "Makes every node apply the stored runtime config again; returns the config and the "
        + "nodes told.", false, List.of(), Result.OBJECT, (s, a) -> s.cluster(null).distributeConfig());
  }

  private static final Map<String, Map<String, ApiMethod>> READ_ONLY_METHODS;

  static {
    Map<String, Map<String, ApiMethod>> m = new LinkedHashMap<>();
    METHODS.forEach((k, v) -> m.put(k, Collections.unmodifiableMap(v)));
    READ_ONLY_METHODS = Collections.unmodifiableMap(m);
  }

  private ApiCatalog() {
  }

  private static void service(String name, Class<?> iface, String description) {
    SERVICES.put(name, description);
    INTERFACES.put(name, iface);
    METHODS.put(name, new LinkedHashMap<>());
  }

  private static void add(String service, String method, String description, boolean readOnly, List<Param> params,
      Result returns, ApiMethod.Invoker invoker) {
    METHODS.get(service).put(method, new ApiMethod(service, method, description, readOnly, params, returns, invoker));
  }

  /** The method, or null when unknown. */
  public static ApiMethod find(String service, String method) {
    Map<String, ApiMethod> m = METHODS.get(service);
    return m == null ? null : m.get(method);
  }

  /** The Java interface of each service, by service name (the catalogue test checks they agree). */
  public static Map<String, Class<?>> interfaces() {
    return Collections.unmodifiableMap(INTERFACES);
  }

  /** The description of each service, by service name. */
  public static Map<String, String> services() {
    return Collections.unmodifiableMap(SERVICES);
  }

  /** Every method by service, in catalogue order (read-only). */
  public static Map<String, Map<String, ApiMethod>> methods() {
    return READ_ONLY_METHODS;
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
          if (v == null && !p.required()) {
            out.put(p.name(), (String) null);
          } else if (Validate.idText(v) != null) {
            out.put(p.name(), Validate.idText(v)); // an integer keeps its exact digits, as at the edge
          } else {
            throw Failure.BAD_REQUEST.exception("parameter " + p.name() + " must be a string or an integer");
          }
        }
        case INTEGER -> {
          if (v == null && !p.required()) {
            continue;
          }
          if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0
              || n.doubleValue() > Integer.MAX_VALUE) {
            throw Failure.BAD_REQUEST.exception("parameter " + p.name() + " must be an integer from 0 to " + Integer.MAX_VALUE);
          }
          out.put(p.name(), n.intValue());
        }
        case OBJECT -> {
          if (!(v instanceof JsonObject)) {
            throw Failure.BAD_REQUEST.exception("parameter " + p.name() + " must be a JSON object");
          }
          out.put(p.name(), v);
        }
        case JSON -> out.put(p.name(), v);
        default -> throw Failure.INTERNAL.exception("unknown parameter type");
      }
    }
    return new Args(out);
  }
}
