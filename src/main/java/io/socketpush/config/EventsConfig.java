package io.socketpush.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code events} section: lifecycle events to the backend as signed webhooks. {@code events.webhooks} is a
 * list of {@code {"url": "http(s)://..", "events": ["user.online", ..], "secret": ".."}}; the other options tune
 * delivery from the outbox (the {@code socketpush.events} distributed cache, 2 owners).
 */
public final class EventsConfig {
  public static final long DEFAULT_MAX_AGE = 3_600_000;
  public static final int DEFAULT_BATCH_SIZE = 100;
  public static final long DEFAULT_RETRY_INITIAL_DELAY = 500;
  public static final long DEFAULT_RETRY_MAX_DELAY = 30_000;
  public static final long DEFAULT_REQUEST_TIMEOUT = 5_000;
  public static final long DEFAULT_POLL_INTERVAL = 200;
  /** Every event type; a webhook's {@code events} lists some of them. */
  public static final List<String> TYPES = List.of("user.online", "user.offline", "channel.occupied",
      "channel.vacated", "presence.join", "presence.leave");
  private static final Set<String> KEYS = Set.of("webhooks", "maxAge", "batchSize", "retryInitialDelay", "retryMaxDelay",
      "requestTimeout", "pollInterval");
  private static final Set<String> HOOK_KEYS = Set.of("url", "events", "secret");

  /** One webhook: where, which event types, and the HMAC-SHA256 secret. */
  public record Webhook(String url, Set<String> events, String secret) {
    @Override
    public String toString() {
      return url + " " + events; // never the secret
    }
  }

  private final List<Webhook> webhooks;
  private final long maxAge;
  private final int batchSize;
  private final long retryInitialDelay;
  private final long retryMaxDelay;
  private final long requestTimeout;
  private final long pollInterval;
  private final JsonObject source;

  private EventsConfig(List<Webhook> webhooks, long maxAge, int batchSize, long retryInitialDelay, long retryMaxDelay,
      long requestTimeout, long pollInterval, JsonObject source) {
    this.webhooks = webhooks;
    this.maxAge = maxAge;
    this.batchSize = batchSize;
    this.retryInitialDelay = retryInitialDelay;
    this.retryMaxDelay = retryMaxDelay;
    this.requestTimeout = requestTimeout;
    this.pollInterval = pollInterval;
    this.source = source;
  }

  /** Parses and validates the section; errors name the option ({@code events.webhooks[0].url}). */
  public static EventsConfig from(JsonObject section) {
    JsonObject in = section == null ? new JsonObject() : section;
    List<String> errors = new ArrayList<>();
    for (String k : in.fieldNames()) {
      if (!KEYS.contains(k)) {
        errors.add("unknown option events." + k);
      }
    }
    List<Webhook> hooks = new ArrayList<>();
    Object w = in.getValue("webhooks");
    if (w != null && !(w instanceof JsonArray)) {
      errors.add("events.webhooks must be an array of {\"url\",\"events\",\"secret\"} objects");
    } else if (w != null) {
      JsonArray a = (JsonArray) w;
      for (int i = 0; i < a.size(); i++) {
        String name = "events.webhooks[" + i + "]";
        if (!(a.getValue(i) instanceof JsonObject o)) {
          errors.add(name + " must be an object");
          continue;
        }
        for (String k : o.fieldNames()) {
          if (!HOOK_KEYS.contains(k)) {
            errors.add("unknown option " + name + "." + k);
          }
        }
        String url = o.getValue("url") instanceof String s ? s : null;
        if (url == null || !validUrl(url)) {
          errors.add(name + ".url must be an absolute http:// or https:// URL");
        }
        String secret = o.getValue("secret") instanceof String s ? s : null;
        if (secret == null || secret.isBlank() || secret.length() < 16) {
          errors.add(name + ".secret must be a string of at least 16 characters");
        }
        Set<String> events = new java.util.LinkedHashSet<>();
        if (!(o.getValue("events") instanceof JsonArray es) || es.isEmpty()) {
          errors.add(name + ".events must be a non-empty array of event types " + TYPES);
        } else {
          for (Object e : es) {
            if (!(e instanceof String t) || !TYPES.contains(t)) {
              errors.add(name + ".events: unknown event type " + e + " (one of " + TYPES + ")");
            } else {
              events.add(t);
            }
          }
        }
        hooks.add(new Webhook(url, Set.copyOf(events), secret));
      }
    }
    long maxAge = number(in, "maxAge", DEFAULT_MAX_AGE, 1_000, 7L * 24 * 3_600_000, errors);
    long batch = number(in, "batchSize", DEFAULT_BATCH_SIZE, 1, 10_000, errors);
    long initial = number(in, "retryInitialDelay", DEFAULT_RETRY_INITIAL_DELAY, 10, 3_600_000, errors);
    long max = number(in, "retryMaxDelay", DEFAULT_RETRY_MAX_DELAY, 10, 3_600_000, errors);
    long timeout = number(in, "requestTimeout", DEFAULT_REQUEST_TIMEOUT, 100, 600_000, errors);
    long poll = number(in, "pollInterval", DEFAULT_POLL_INTERVAL, 10, 60_000, errors);
    if (max < initial) {
      errors.add("events.retryMaxDelay must be at least events.retryInitialDelay");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid config: " + String.join("; ", errors));
    }
    return new EventsConfig(List.copyOf(hooks), maxAge, (int) batch, initial, max, timeout, poll, in.copy());
  }

  private static boolean validUrl(String url) {
    try {
      URI u = new URI(url);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static long number(JsonObject o, String key, long def, long min, long max, List<String> errors) {
    Object v = o.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min || n.longValue() > max) {
      errors.add("events." + key + " must be an integer between " + min + " and " + max + " (was " + v + ")");
      return def;
    }
    return n.longValue();
  }

  public List<Webhook> webhooks() {
    return webhooks;
  }

  /** Events older than this (ms) are dropped undelivered (a metric and a log line). */
  public long maxAge() {
    return maxAge;
  }

  public int batchSize() {
    return batchSize;
  }

  public long retryInitialDelay() {
    return retryInitialDelay;
  }

  public long retryMaxDelay() {
    return retryMaxDelay;
  }

  public long requestTimeout() {
    return requestTimeout;
  }

  public long pollInterval() {
    return pollInterval;
  }

  /** The section as given, secrets redacted. */
  public JsonObject toJson() {
    JsonObject out = source.copy();
    JsonArray hooks = new JsonArray();
    for (Webhook h : webhooks) {
      hooks.add(new JsonObject().put("url", h.url()).put("events", new JsonArray(new ArrayList<>(h.events()))).put("secret", "***"));
    }
    return out.put("webhooks", hooks);
  }

  /** Doc lines of the section for {@link NodeConfig#describe()}. */
  static JsonArray describe() {
    return new JsonArray()
        .add(doc("events.webhooks", "webhook_list", new JsonArray(), "Lifecycle events POSTed to the backend: a list of "
            + "{\"url\": \"http(s)://..\", \"events\": [types], \"secret\": \"at least 16 characters\"}; types: " + TYPES
            + ". Each POST is a JSON batch {\"events\": [{\"id\", \"type\", \"key\", \"at\", \"data\"}]} with headers "
            + "X-SocketPush-Timestamp (unix seconds) and X-SocketPush-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "
            + "+ \".\" + raw body)>; verify with io.socketpush.events.WebhookSignature or the PHP SocketPush\\Webhook. At least "
            + "once (de-duplicate by id), in order per key (user:<id>, channel:<id>), from an outbox in the distributed "
            + "cache socketpush.events (2 owners), delivered by the key's owner on the user/channel ring; any 2xx acknowledges a "
            + "batch. user.online: first socket anywhere (not a reconnect within edge.removeUserAfterDisconnectTimeout); "
            + "user.offline: last socket gone plus that grace; presence.join/leave: only for channels whose streams.rules "
            + "entry has presence: true; channel.occupied: the channel's first present user (connected and subscribed) anywhere; "
            + "channel.vacated: its last one gone (offline after the grace, or unsubscribed). Set the same events section on every node."))
        .add(doc("events.maxAge", "duration_ms", DEFAULT_MAX_AGE, "An event not delivered within this age is dropped "
            + "(metric socketpush_webhook_events_total{outcome=\"expired\"} and a log line)."))
        .add(doc("events.batchSize", "int", DEFAULT_BATCH_SIZE, "Most events per POST."))
        .add(doc("events.retryInitialDelay", "duration_ms", DEFAULT_RETRY_INITIAL_DELAY, "First retry delay after a failed "
            + "POST (non-2xx, timeout, refused); doubles per failure up to retryMaxDelay, with random jitter (50-100%)."))
        .add(doc("events.retryMaxDelay", "duration_ms", DEFAULT_RETRY_MAX_DELAY, "Longest retry delay."))
        .add(doc("events.requestTimeout", "duration_ms", DEFAULT_REQUEST_TIMEOUT, "Timeout of one webhook POST."))
        .add(doc("events.pollInterval", "duration_ms", DEFAULT_POLL_INTERVAL, "How often each node looks for undelivered "
            + "events of the keys it owns (one cluster-wide listing of the outbox's keys per webhook)."));
  }

  private static JsonObject doc(String name, String type, Object def, String description) {
    return new JsonObject().put("name", name).put("type", type).put("default", def).put("description", description);
  }
}
