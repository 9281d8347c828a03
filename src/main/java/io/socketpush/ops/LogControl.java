package io.socketpush.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Logging control: which node ids log lines belong to, and log levels changed at runtime.
 *
 * <p>Node id in every line: an SLF4J MDC value is thread-local, and Vert.x event-loop threads are shared by
 * every verticle (and every node, when several run in one JVM), so an MDC put on start would label other
 * code's lines, and lines on other threads would miss it. Instead the node id is a property of the logback
 * context ({@code %property{node}} in the pattern, {@code context.properties.node} in JSON lines): a
 * production JVM runs exactly one node, so that is exact there, and it is set before the node logs
 * anything. When a JVM runs several nodes (tests) the property lists them all, and socket-push's own lines
 * still name their node in the message ({@code [nodeId] ...}), as they always have.
 */
public final class LogControl {
  /** Logback context property holding the node id(s) of this JVM. */
  public static final String NODE_PROPERTY = "node";

  private static final Set<String> NODES = new TreeSet<>();
  /** Logger trees whose levels may change at runtime: ours and the libraries a node runs on. */
  public static final java.util.List<String> KNOWN_PREFIXES = java.util.List.of("io.socketpush", "io.vertx", "io.netty",
      "org.infinispan", "org.jgroups", "io.micrometer");

  private LogControl() {
  }

  /** Labels this JVM's log lines with a node id that started. */
  static synchronized void nodeStarted(String nodeId) {
    NODES.add(nodeId);
    publish();
  }

  /** Drops a stopped node's id from the label. */
  static synchronized void nodeStopped(String nodeId) {
    NODES.remove(nodeId);
    publish();
  }

  private static void publish() {
    LoggerContext ctx = context();
    if (ctx != null) {
      ctx.putProperty(NODE_PROPERTY, NODES.isEmpty() ? "-" : String.join(",", NODES));
    }
  }

  /** The current and effective level of a logger. */
  public static JsonObject level(String logger) {
    LoggerContext ctx = requireContext();
    Logger l = ctx.getLogger(name(logger));
    return new JsonObject().put("logger", l.getName()).put("level", l.getLevel() == null ? null : l.getLevel().toString())
        .put("effectiveLevel", l.getEffectiveLevel().toString());
  }

  /**
   * Sets a logger's level; {@code null} or {@code "INHERIT"} makes it inherit its parent's. Throws
   * IllegalArgumentException naming the bad field.
   */
  public static JsonObject setLevel(String logger, String level) {
    LoggerContext ctx = requireContext();
    Level lv = parseLevel(level);
    Logger l = ctx.getLogger(name(logger));
    if (lv == null && Logger.ROOT_LOGGER_NAME.equals(l.getName())) {
      throw new IllegalArgumentException("level: the root logger needs a level");
    }
    l.setLevel(lv);
    LoggerFactory.getLogger(LogControl.class).info("log level of {} set to {} (node(s) {})", l.getName(),
        lv == null ? "inherited" : lv, ctx.getProperty(NODE_PROPERTY));
    return level(l.getName());
  }

  static Level parseLevel(String level) {
    if (level == null || level.equalsIgnoreCase("INHERIT") || level.equalsIgnoreCase("NULL")) {
      return null;
    }
    String u = level.trim().toUpperCase(Locale.ROOT);
    if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(u)) {
      throw new IllegalArgumentException("level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, INHERIT (was " + level + ")");
    }
    return Level.toLevel(u);
  }

  private static String name(String logger) {
    if (logger == null || logger.isBlank() || logger.equalsIgnoreCase(Logger.ROOT_LOGGER_NAME)) {
      return Logger.ROOT_LOGGER_NAME;
    }
    if (!logger.matches("[A-Za-z0-9_$.-]{1,200}")) {
      throw new IllegalArgumentException("logger must be a logger name such as io.socketpush or ROOT");
    }
    for (String p : KNOWN_PREFIXES) {
      if (logger.equals(p) || logger.startsWith(p + ".")) {
        return logger;
      }
    }
    // every new name would create a logger that lives as long as the JVM: only the known trees are accepted
    throw new IllegalArgumentException("logger must be ROOT or within " + KNOWN_PREFIXES + " (was " + logger + ")");
  }

  private static LoggerContext requireContext() {
    LoggerContext ctx = context();
    if (ctx == null) {
      throw new IllegalStateException("logging is not backed by logback: levels cannot change at runtime");
    }
    return ctx;
  }

  private static LoggerContext context() {
    ILoggerFactory f = LoggerFactory.getILoggerFactory();
    return f instanceof LoggerContext c ? c : null;
  }
}
