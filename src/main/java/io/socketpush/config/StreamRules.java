package io.socketpush.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code streams} section: how much history each stream keeps. {@code streams.rules} is a list of
 * {@code {"match": "<glob on the stream address>", "historySize": N, "historyTtl": ms, "presence": bool}}; the first rule whose
 * glob matches a stream address ({@code user.<id>} or {@code channel.<id>}) wins; a stream no rule matches
 * keeps {@link #DEFAULT_HISTORY_SIZE} messages for at most {@link #DEFAULT_HISTORY_TTL} ms. A size or TTL of 0
 * turns history off for the stream (it still gets positions, kept by its owner in memory only).
 */
public final class StreamRules {
  public static final int DEFAULT_HISTORY_SIZE = 100;
  public static final long DEFAULT_HISTORY_TTL = 120_000;
  static final int MAX_HISTORY_SIZE = 100_000;
  static final long MAX_HISTORY_TTL = 7L * 24 * 3_600_000;
  private static final Set<String> RULE_KEYS = Set.of("match", "historySize", "historyTtl", "presence");

  /** One rule; {@link #enabled()} is false when the stream keeps no history. */
  public record Rule(String match, Pattern pattern, int historySize, long historyTtl, boolean presence) {
    public Rule(String match, Pattern pattern, int historySize, long historyTtl) {
      this(match, pattern, historySize, historyTtl, false);
    }

    public boolean enabled() {
      return historySize > 0 && historyTtl > 0;
    }
  }

  /** The rule of streams no configured rule matches. */
  public static final Rule DEFAULT = new Rule("*", Pattern.compile(".*", Pattern.DOTALL), DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL);

  private final List<Rule> rules;
  private final JsonObject source;

  private StreamRules(List<Rule> rules, JsonObject source) {
    this.rules = rules;
    this.source = source;
  }

  /** Defaults only. */
  public static StreamRules defaults() {
    return from(null);
  }

  /** Parses and validates the {@code streams} section; errors name the option ({@code streams.rules[1].historySize}). */
  public static StreamRules from(JsonObject section) {
    JsonObject in = section == null ? new JsonObject() : section;
    List<String> errors = new ArrayList<>();
    for (String k : in.fieldNames()) {
      if (!"rules".equals(k)) {
        errors.add("unknown option streams." + k);
      }
    }
    List<Rule> out = new ArrayList<>();
    Object r = in.getValue("rules");
    if (r != null && !(r instanceof JsonArray)) {
      errors.add("streams.rules must be an array of {\"match\",\"historySize\",\"historyTtl\"} objects");
    } else if (r != null) {
      JsonArray a = (JsonArray) r;
      for (int i = 0; i < a.size(); i++) {
        String name = "streams.rules[" + i + "]";
        if (!(a.getValue(i) instanceof JsonObject o)) {
          errors.add(name + " must be an object");
          continue;
        }
        for (String k : o.fieldNames()) {
          if (!RULE_KEYS.contains(k)) {
            errors.add("unknown option " + name + "." + k);
          }
        }
        if (!(o.getValue("match") instanceof String glob) || glob.isEmpty()) {
          errors.add(name + ".match must be a non-empty string (a glob on the stream address, e.g. channel.chat-*)");
          continue;
        }
        long size = number(o, "historySize", DEFAULT_HISTORY_SIZE, MAX_HISTORY_SIZE, name, errors);
        long ttl = number(o, "historyTtl", DEFAULT_HISTORY_TTL, MAX_HISTORY_TTL, name, errors);
        Object presence = o.getValue("presence");
        if (presence != null && !(presence instanceof Boolean)) {
          errors.add(name + ".presence must be true or false (was " + presence + ")");
        }
        out.add(new Rule(glob, glob(glob), (int) size, ttl, Boolean.TRUE.equals(presence)));
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid config: " + String.join("; ", errors));
    }
    return new StreamRules(List.copyOf(out), in.copy());
  }

  private static long number(JsonObject o, String key, long def, long max, String name, List<String> errors) {
    Object v = o.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0 || n.longValue() > max) {
      errors.add(name + "." + key + " must be an integer between 0 and " + max + " (was " + v + ")");
      return def;
    }
    return n.longValue();
  }

  /** A glob ({@code *} any run of characters, {@code ?} one character) as an anchored regex. */
  static Pattern glob(String glob) {
    StringBuilder b = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> b.append(".*");
        case '?' -> b.append('.');
        default -> b.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(b.toString(), Pattern.DOTALL);
  }

  /** Whether some rule turns presence on (else nobody needs a user's channels when it comes online or goes offline). */
  public boolean anyPresence() {
    return rules.stream().anyMatch(Rule::presence);
  }

  /** The rule of a stream address: the first matching rule, else {@link #DEFAULT}. */
  public Rule forStream(String address) {
    for (Rule r : rules) {
      if (r.pattern().matcher(address).matches()) {
        return r;
      }
    }
    return DEFAULT;
  }

  /** The section as given. */
  public JsonObject toJson() {
    return source.copy().put("rules", source.getJsonArray("rules", new JsonArray()));
  }

  /** Doc lines of the section for {@link NodeConfig#describe()}. */
  static JsonArray describe() {
    return new JsonArray().add(new JsonObject().put("name", "streams.rules").put("type", "rule_list").put("default", new JsonArray())
        .put("description", "History kept per stream (user.<id>, channel.<id>): a list of {\"match\": \"<glob on the stream "
            + "address, e.g. channel.chat-*>\", \"historySize\": N, \"historyTtl\": ms}; the first match wins; streams no rule "
            + "matches keep the last " + DEFAULT_HISTORY_SIZE + " messages for at most " + DEFAULT_HISTORY_TTL + " ms; 0 turns "
            + "history off (positions stay, resume then answers recovered:false). \"presence\": true on a channel.<id> rule "
            + "sends join/leave frames (headers.presence) to the channel's subscribers (default false)."));
  }
}
