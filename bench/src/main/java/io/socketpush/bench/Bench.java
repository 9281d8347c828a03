package io.socketpush.bench;

import io.socketpush.bench.LoadGen.Stream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The benchmark: starts the baseline server and socket-push (each a child JVM pinned to one core), drives
 * both with the same {@link LoadGen} (pinned to another core), and reports socket-push as ratios to the
 * baseline: a JSON line on stdout and a Markdown table appended to the results file. Progress goes to
 * stderr. Every server it starts is stopped before it exits.
 *
 * <pre>
 * java -cp bench/target/socket-push-bench.jar:target/socket-push.jar io.socketpush.bench.Bench [--sockets 5000] ...
 * </pre>
 * {@code --help} lists the options.
 */
public final class Bench {
  /** History off for every user and channel stream ({@code *} matches any stream address). */
  static final String NOHIST_STREAMS = "{\"rules\":[{\"match\":\"*\",\"historySize\":0}]}";

  private static final Map<String, String[]> OPTIONS = new LinkedHashMap<>();

  static {
    opt("targets", "baseline,socketpush", "which servers to run, in order (baseline, socketpush, cluster: three clustered"
        + " socket-push JVMs, sockets on one node's edge, publishes through another node's management API, without a cluster"
        + " secret; cluster-secure: the same with a cluster secret: JGroups SYM_ENCRYPT and event-bus mutual TLS;"
        + " socketpush-nohist, cluster-nohist: the same as socketpush, cluster with --nohist-streams, history off;"
        + " socketpush-ref: the same as socketpush, started from --ref-jar, an earlier build to compare with in the same run)");
    opt("interleave", "true", "run both servers at once and alternate every scenario and step between them (fairer on a shared machine); false: one after the other");
    opt("jar", "target/socket-push.jar", "fat jar the servers are started from");
    opt("ref-jar", "", "fat jar of the socketpush-ref target (e.g. an earlier commit's build)");
    opt("ref-options", "", "Vert.x options (the launcher's -options JSON) of the socketpush-ref target, e.g. to run the same jar"
        + " with other metrics options (empty: none)");
    opt("sockets", "5000", "WebSocket connections (one user each)");
    opt("groups", "100", "channels of the many-channels scenario (sockets/groups subscribers each)");
    opt("scenarios", "connect,user,fanout,channels,step", "scenarios after connect (connect is always run); also resume:"
        + " --resume-sockets sockets each miss --resume-missed messages of their user stream, then resume with their positions;"
        + " auth: connect rate and server CPU per connect with session auth against token auth (HS256), same server, same run");
    opt("user-rate", "1000", "user.publish calls/s in the user scenario");
    opt("fanout-rate", "1", "channel.publish calls/s to the 1 x N channel");
    opt("channels-rate", "100", "channel.publish calls/s spread over the groups channels");
    opt("duration", "10", "seconds per fixed-rate scenario");
    opt("warmup", "8", "seconds of untimed warm-up traffic per stream before the timed scenarios");
    opt("step-stream", "channels", "what the stepped search publishes to: channels (the groups channels, round-robin) or fanout (1 x N)");
    opt("step-start", "0.25", "first step of the stepped search, in publishes/s per channel");
    opt("step-factor", "1.5", "rate multiplier between steps until a target's first failed step");
    opt("step-fine-factor", "1.2", "after a target's first failed step: its search goes on from its best sustained rate in"
        + " steps of this factor, below the rate that failed, so the result resolves ratios near the limit (1: no fine steps)");
    opt("step-max", "14", "most steps per target (coarse and fine)");
    opt("step-seconds", "4", "seconds per step");
    opt("p99-limit", "100", "p99 (ms) a sustained step must stay under");
    opt("server-cpu", "0", "core the servers are pinned to with taskset (empty: not pinned)");
    opt("client-cpu", "1", "core the load generator pins itself to (empty: not pinned)");
    opt("client-loops", "1", "event loops of the load generator's sockets");
    opt("xmx", "1g", "server heap");
    opt("server-jvm-args", "", "extra JVM arguments of every server, space-separated (e.g. -Djgroups.tcp_nodelay=false)");
    opt("http-pool", "32", "HTTP connections of the publisher");
    opt("max-inflight", "2000", "publish calls in flight before the publisher waits");
    opt("connect-concurrency", "256", "handshakes in flight while connecting");
    opt("connect-warmup-rounds", "0", "before the connect's warm-up sockets: rounds that connect them and close them again, so"
        + " the timed connect measures a JIT-compiled connect path (a round is min(sockets/5, 1000) connects; C2 compiles a"
        + " method after ~10,000 calls; 0: none, the cold path as before)");
    opt("sp-ports", "18080,18181", "socket-push client,admin ports");
    opt("baseline-ports", "18090,18191", "baseline client,admin ports");
    opt("cluster-ports", "18100,18201", "cluster target: client port of its edge node, admin port of the node publishes go"
        + " through (the other two nodes' admin ports follow it)");
    opt("cluster-secure-ports", "18300,18401", "cluster-secure target: client port of its edge node, admin port (as cluster-ports)");
    opt("socketpush-nohist-ports", "19080,19181", "socketpush-nohist target: client,admin ports");
    opt("socketpush-ref-ports", "19280,19381", "socketpush-ref target: client,admin ports");
    opt("cluster-nohist-ports", "19100,19201", "cluster-nohist target: client port of its edge node, admin port (as cluster-ports)");
    opt("streams", "", "the streams section (JSON) of the socket-push targets with history (empty: the defaults, 100 messages / 120 s)");
    opt("nohist-streams", NOHIST_STREAMS, "the streams section (JSON) of the -nohist targets");
    opt("disconnect-timeout", "600000", "edge.removeUserAfterDisconnectTimeout (ms) of every socket-push node: the resume scenario"
        + " publishes to users between sockets");
    opt("resume-sockets", "200", "sockets of the resume scenario (users r<k>x<i> of their own, not the other scenarios' sockets)");
    opt("resume-missed", "100", "messages each resume socket misses while disconnected (history must keep at least this many)");
    opt("resume-concurrency", "1,50", "resume: sockets reconnecting at once; a list runs the scenario once per value (fresh users each time)");
    opt("resume-timeout", "30000", "resume: ms a socket may take from its auth frame to its last replayed message");
    opt("auth-sockets", "1000", "auth scenario: sockets per round (extra sockets of the first users, beside the others)");
    opt("auth-rounds", "4", "auth scenario: rounds, each connecting auth-sockets with session auth and with token auth (order alternating)");
    opt("pid", "", "attach to a running socket-push with this pid (ports from --sp-ports) instead of starting one");
    opt("jfr", "", "record JFR on socket-push during the fan-out and step scenarios into this file");
    opt("jfr-connect", "", "record JFR on socket-push during the timed connect into this file");
    opt("jfr-idle", "", "record JFR on socket-push while every socket is connected and nothing is published into this file");
    opt("histogram", "", "before and after the connect: write each target's heap histogram (jcmd GC.class_histogram, its"
        + " first 150 lines) to this path with -<target>-before.txt / -<target>.txt appended, e.g. /tmp/h ->"
        + " /tmp/h-socketpush.txt (empty: none)");
    opt("results", "bench/results.md", "Markdown file the table is appended to (empty: none)");
    opt("note", "", "free text added to the Markdown entry");
    opt("progress", "true", "print a progress line to stderr once per second");
  }

  /**
   * What a target name means: its kind (socketpush, baseline, cluster, cluster-secure), whether history is on, and
   * whether it runs the reference jar ({@code socketpush-ref}).
   */
  record Kind(String base, boolean history, boolean ref) {
    static Kind of(String name) {
      if (name.equals("socketpush-ref")) {
        return new Kind("socketpush", true, true);
      }
      boolean off = name.endsWith("-nohist");
      String base = off ? name.substring(0, name.length() - "-nohist".length()) : name;
      if (!List.of("socketpush", "baseline", "cluster", "cluster-secure").contains(base) || off && !List.of("socketpush", "cluster").contains(base)) {
        throw new IllegalArgumentException("unknown target " + name
            + " (known: baseline, socketpush, socketpush-nohist, socketpush-ref, cluster, cluster-nohist, cluster-secure)");
      }
      return new Kind(base, !off && !base.equals("baseline"), false);
    }
  }

  /**
   * The config every socket-push node of a target gets besides its own: {@code streams} (validated with the
   * server's own parser; empty: none, the defaults) and {@code edge.removeUserAfterDisconnectTimeout}.
   */
  static JsonObject serverExtras(String streamsJson, long disconnectTimeoutMs) {
    JsonObject extra = new JsonObject().put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", disconnectTimeoutMs))
        .put("tokens", new JsonObject().put("secret", TOKEN_SECRET)); // token auth on beside sessions (the auth scenario)
    if (!streamsJson.isBlank()) {
      JsonObject streams;
      try {
        streams = new JsonObject(streamsJson);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("streams config is not a JSON object: " + streamsJson);
      }
      io.socketpush.config.StreamRules.from(streams); // fails with the server's message if the rules are invalid
      extra.put("streams", streams);
    }
    return extra;
  }

  /** The resume scenario's concurrency list ("1,50"): positive integers. */
  static List<Integer> resumeConcurrency(String list) {
    List<Integer> out = new ArrayList<>();
    for (String p : list.split(",")) {
      int c = Integer.parseInt(p.trim());
      if (c < 1) {
        throw new IllegalArgumentException("resume-concurrency values must be >= 1: " + list);
      }
      out.add(c);
    }
    return out;
  }

  private static void opt(String name, String def, String doc) {
    OPTIONS.put(name, new String[] {def, doc});
  }

  private final Map<String, String> args;

  private Bench(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> e : OPTIONS.entrySet()) {
      a.put(e.getKey(), e.getValue()[0]);
    }
    for (int i = 0; i < argv.length; i++) {
      String k = argv[i].startsWith("--") ? argv[i].substring(2) : argv[i];
      if (k.equals("help") || !OPTIONS.containsKey(k) || i + 1 >= argv.length) {
        usage(k.equals("help") ? null : argv[i]);
        return;
      }
      a.put(k, argv[++i]);
    }
    System.exit(new Bench(a).run());
  }

  private static void usage(String bad) {
    if (bad != null) {
      System.err.println("unknown or incomplete option " + bad);
    }
    System.err.println("bench/run.sh [options]   (java -cp bench/target/socket-push-bench.jar:target/socket-push.jar io.socketpush.bench.Bench)");
    OPTIONS.forEach((k, v) -> System.err.printf("  --%-20s %s (default: %s)%n", k, v[1], v[0].isEmpty() ? "none" : v[0]));
  }

  private String s(String k) {
    return args.get(k);
  }

  private int i(String k) {
    return Integer.parseInt(args.get(k));
  }

  private double d(String k) {
    return Double.parseDouble(args.get(k));
  }

  private boolean has(String scenario) {
    return List.of(s("scenarios").split(",")).contains(scenario);
  }

  int run() throws Exception {
    JsonObject machine = machine();
    if (!s("client-cpu").isEmpty()) {
      pinSelf(s("client-cpu"));
    }
    JsonObject out = new JsonObject().put("time", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("machine", machine).put("config", new JsonObject(new LinkedHashMap<>(args)));
    JsonObject targets = new JsonObject();
    int rc = 0;
    List<String> names = List.of(s("targets").split(","));
    if (Boolean.parseBoolean(s("interleave")) && names.size() > 1) {
      try {
        targets = runInterleaved(names);
      } catch (Exception e) {
        System.err.println("\ninterleaved run failed: " + e);
        targets.put("error", String.valueOf(e));
        rc = 1;
      }
    } else {
      for (String t : names) {
        try {
          targets.put(t, runTarget(t));
        } catch (Exception e) {
          System.err.println("\n" + t + " failed: " + e);
          targets.put(t, new JsonObject().put("error", String.valueOf(e)));
          rc = 1;
        }
      }
    }
    out.put("targets", targets);
    machine.put("loadavgAfter", loadavg());
    out.put("ratios", ratios(targets.getJsonObject("socketpush"), targets.getJsonObject("baseline")));
    JsonObject onOff = new JsonObject();
    for (String n : List.of("socketpush", "cluster")) {
      if (targets.getValue(n) instanceof JsonObject on && targets.getValue(n + "-nohist") instanceof JsonObject off) {
        onOff.put(n, ratios(on, off));
      }
    }
    if (!onOff.isEmpty()) {
      out.put("historyOnVsOff", onOff);
    }
    if (targets.getValue("socketpush-ref") instanceof JsonObject ref) {
      out.put("socketpushVsRef", ratios(targets.getJsonObject("socketpush"), ref));
    }
    if (targets.getValue("cluster") instanceof JsonObject cl) {
      out.put("clusterVsSingleNode", ratios(cl, targets.getJsonObject("socketpush")));
      if (targets.getValue("cluster-secure") instanceof JsonObject secure) {
        out.put("secureVsOpenCluster", ratios(secure, cl));
      }
    }
    System.out.println(out.encode());
    if (!s("results").isEmpty()) {
      Path p = Path.of(s("results"));
      if (p.toAbsolutePath().getParent() != null) {
        Files.createDirectories(p.toAbsolutePath().getParent());
      }
      Files.writeString(p, markdown(out), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      System.err.println("appended to " + p);
    }
    return rc;
  }

  // ---------------------------------------------------------------- servers under test

  /** One server under test with its own load generator and results. */
  private final class Target implements AutoCloseable {
    final String name;
    final boolean sp;
    final boolean cluster;
    /** Whether the streams keep history (false for the baseline and the -nohist targets). */
    final boolean history;
    /** The fat jar this target's servers run. */
    final String jar;
    final JsonObject res = new JsonObject();
    ServerProcess server;
    /** Every process of the target (one, or the three cluster nodes); CPU and heap are their sums. */
    final List<ServerProcess> servers = new ArrayList<>();
    List<Integer> adminPorts = List.of();
    LoadGen gen;

    Target(String name) {
      this.name = name;
      Kind kind = Kind.of(name);
      this.sp = kind.base().equals("socketpush");
      this.cluster = kind.base().startsWith("cluster");
      this.history = kind.history();
      this.jar = kind.ref() ? s("ref-jar") : s("jar");
      if (jar.isEmpty()) {
        throw new IllegalArgumentException(name + " needs --ref-jar");
      }
    }

    /** The config of this target's socket-push nodes besides their own (streams rules, disconnect timeout). */
    JsonObject extras() {
      return serverExtras(s(history ? "streams" : "nohist-streams"), Long.parseLong(s("disconnect-timeout")));
    }

    long cpuNanos() {
      return sum(ServerProcess::cpuNanos);
    }

    long heapAfterGcKb() {
      return sum(ServerProcess::heapAfterGcKb);
    }

    long rssKb() {
      return sum(ServerProcess::rssKb);
    }

    private long sum(java.util.function.ToLongFunction<ServerProcess> reading) {
      return sumOrUnknown(servers, reading);
    }

    /** Event-bus messages the nodes sent to other nodes so far (sum of the Vert.x metrics), -1 if unknown. */
    long remoteMessages() {
      return cluster ? sumOrUnknown(adminPorts, port -> ClusterNodes.remoteEventBusMessages(port)) : -1;
    }

    /** Starts the server (or attaches), sets up users and subscriptions, connects and measures memory. */
    void open() throws Exception {
      String[] ports = s(name.equals("socketpush") ? "sp-ports" : sp || cluster ? name + "-ports" : "baseline-ports").split(",");
      int edgePort = Integer.parseInt(ports[0]);
      int adminPort = Integer.parseInt(ports[1]);
      for (int port : new int[] {edgePort, adminPort}) {
        if (!(name.equals("socketpush") && !s("pid").isEmpty()) && ServerProcess.accepts(port)) {
          throw new IllegalStateException("port " + port + " is already in use");
        }
      }
      System.err.println("== " + name + ": start, setup, connect");
      if (cluster) {
        boolean secure = name.equals("cluster-secure");
        ClusterNodes nodes = ClusterNodes.start(javaServerPrefix(), jar, edgePort, adminPort, secure, extras(),
            name.substring("cluster".length()), secure ? 46_000 : history ? 48_000 : 44_000);
        servers.addAll(nodes.processes());
        adminPorts = nodes.adminPorts();
        server = servers.get(0);
        res.put("nodes", nodes.describe());
      } else {
        server = startServer(name, jar, sp, edgePort, adminPort, sp ? extras() : null);
        servers.add(server);
      }
      res.put("pid", server.pid());
      long deadline = System.currentTimeMillis() + 30_000;
      while (!ServerProcess.accepts(adminPort) && System.currentTimeMillis() < deadline) {
        LoadGen.sleep(100);
      }
      int n = i("sockets");
      gen = new LoadGen(new LoadGen.Options("127.0.0.1", edgePort, adminPort, n, i("groups"),
          i("client-loops"), i("http-pool"), i("max-inflight"), Boolean.parseBoolean(s("progress"))));
      gen.serverCpu(this::cpuNanos);
      res.put("setup", gen.setup(64));
      int churn = Math.min(n / 5, 1000);
      for (int r = 0; r < i("connect-warmup-rounds"); r++) { // before the memory baseline: what they leave is not counted
        System.err.println("   connect warm-up round " + (r + 1) + " of " + i("connect-warmup-rounds"));
        gen.connect(0, churn, i("connect-concurrency"), 20_000);
        gen.closeRange(0, churn);
      }
      long heap0 = heapAfterGcKb();
      long rss0 = rssKb();
      histogram("-before");
      // the first fifth (at most 1000) warms the server's JIT; the rest is timed
      int warm = Math.min(n / 5, 1000);
      JsonObject warmConnect = gen.connect(0, warm, i("connect-concurrency"), 20_000);
      jfr("jfr-connect", true);
      JsonObject connect = gen.connect(warm, n, i("connect-concurrency"), 20_000);
      jfr("jfr-connect", false);
      long heap1 = heapAfterGcKb();
      long rss1 = rssKb();
      histogram("");
      connect.put("warmupConnected", warmConnect.getInteger("connected")).put("warmupFailed", warmConnect.getInteger("failed"))
          .put("warmupConnectsPerSec", warmConnect.getDouble("connectsPerSec"));
      int connected = Math.max(1, connect.getInteger("connected") + warmConnect.getInteger("connected"));
      connect.put("heapBeforeKb", heap0).put("heapAfterKb", heap1).put("rssBeforeKb", rss0).put("rssAfterKb", rss1)
          .put("heapPerConnKb", LoadGen.round((heap1 - heap0) / (double) connected))
          .put("rssPerConnKb", LoadGen.round((rss1 - rss0) / (double) connected));
      res.put("connect", connect);
      jfr("jfr-idle", true);
      idle();
      jfr("jfr-idle", false);
      System.err.printf("   connected %d+%d/%d, timed part in %.2fs (%.0f/s), heap %.2f KiB/conn, rss %.2f KiB/conn%n",
          warmConnect.getInteger("connected"), connect.getInteger("connected"), n, connect.getDouble("seconds"),
          connect.getDouble("connectsPerSec"), connect.getDouble("heapPerConnKb"), connect.getDouble("rssPerConnKb"));
    }

    /** Server CPU and event-bus requests between nodes with every socket connected and nothing published. */
    void idle() {
      long cpu0 = cpuNanos();
      long eb0 = remoteMessages();
      long t0 = System.nanoTime();
      LoadGen.sleep(5_000);
      double secs = (System.nanoTime() - t0) / 1e9;
      JsonObject idle = new JsonObject().put("serverCpu", LoadGen.round((cpuNanos() - cpu0) / 1e9 / secs));
      long eb1 = remoteMessages();
      if (eb0 >= 0 && eb1 >= 0) {
        idle.put("remoteMessagesPerSec", LoadGen.round((eb1 - eb0) / secs));
      }
      res.put("idle", idle);
    }

    void warmup() {
      if (d("warmup") > 0) {
        // every path gets JIT-compiled before it is timed: a profile of an earlier run showed the server's
        // C2 compiler thread at a third of a core during the first timed scenarios
        System.err.println("== " + name + ": warm-up");
        gen.runRate("warmup user", Stream.USER, Math.min(d("user-rate"), 1000), d("warmup"), 3_000);
        gen.runRate("warmup fanout", Stream.ALL, Math.max(0.5, d("fanout-rate") / 2), d("warmup"), 3_000);
        gen.runRate("warmup channels", Stream.GROUP, Math.max(1, d("channels-rate") / 2), d("warmup"), 3_000);
      }
    }

    /** Runs one fixed-rate scenario. */
    void scenario(String key) {
      int n = i("sockets");
      System.err.println("== " + name + ": " + key);
      long eb0 = remoteMessages();
      long t0 = System.nanoTime();
      JsonObject r = switch (key) {
        case "user" -> gen.runRate("user publish", Stream.USER, d("user-rate"), d("duration"), 5_000);
        case "fanout" -> gen.runRate("fanout 1x" + n, Stream.ALL, d("fanout-rate"), d("duration"), 5_000);
        case "channels" -> gen.runRate(i("groups") + " channels", Stream.GROUP, d("channels-rate"), d("duration"), 5_000);
        default -> throw new IllegalArgumentException(key);
      };
      long eb1 = remoteMessages();
      if (eb0 >= 0 && eb1 >= 0 && r.getLong("accepted") > 0) {
        // requests (and publishes) between nodes; replies are not counted by Vert.x, heartbeats left out, and
        // the idle rate (anti-entropy re-announcements and the like) over the scenario's time subtracted
        double background = res.getJsonObject("idle").getDouble("remoteMessagesPerSec", 0.0) * (System.nanoTime() - t0) / 1e9;
        r.put("remoteMessagesPerPublish", LoadGen.round(Math.max(0, eb1 - eb0 - background) / r.getLong("accepted")));
      }
      res.put(key, summary(r));
    }

    /**
     * Session auth against token auth, same server, same run: rounds of auth-sockets extra sockets (users u0.., whose
     * sessions the setup registered), each round connecting them once with sessions and once with HS256 tokens (the
     * order alternating per round), closing them in between. Per mode: connections/s and server CPU per connect, as
     * medians over the rounds. Single-node socket-push targets only.
     */
    void authCompare() {
      if (!sp || cluster) {
        return;
      }
      int m = Math.min(i("auth-sockets"), i("sockets"));
      String[] ports = s(name.equals("socketpush") ? "sp-ports" : name + "-ports").split(",");
      JsonObject out = new JsonObject();
      Map<String, List<Double>> rates = new HashMap<>();
      Map<String, List<Double>> cpu = new HashMap<>();
      for (int r = 0; r < i("auth-rounds"); r++) {
        List<String> order = r % 2 == 0 ? List.of("session", "token") : List.of("token", "session");
        for (String mode : order) {
          System.err.println("== " + name + ": auth round " + (r + 1) + ", " + mode);
          try (LoadGen g = new LoadGen(new LoadGen.Options("127.0.0.1", Integer.parseInt(ports[0]), Integer.parseInt(ports[1]), m,
              i("groups"), i("client-loops"), 4, 100, false))) {
            g.serverCpu(this::cpuNanos);
            if (mode.equals("token")) {
              g.useTokens(TOKEN_SECRET);
            }
            JsonObject c = g.connect(0, m, i("connect-concurrency"), 20_000);
            out.put(mode + "-round" + (r + 1), c);
            if (c.getInteger("failed") == 0) {
              rates.computeIfAbsent(mode, k -> new ArrayList<>()).add(c.getDouble("connectsPerSec"));
              cpu.computeIfAbsent(mode, k -> new ArrayList<>()).add(c.getDouble("serverCpuUsPerConnect"));
            }
          }
          LoadGen.sleep(1_000); // the server drops the closed sockets before the next round
        }
      }
      for (String mode : List.of("session", "token")) {
        out.put(mode + "ConnectsPerSec", median(rates.get(mode))).put(mode + "CpuUsPerConnect", median(cpu.get(mode)));
      }
      res.put("auth", out);
      System.err.printf("   auth: session %.0f/s %.1f us cpu/connect, token %.0f/s %.1f us cpu/connect (medians)%n",
          out.getDouble("sessionConnectsPerSec", -1.0), out.getDouble("sessionCpuUsPerConnect", -1.0),
          out.getDouble("tokenConnectsPerSec", -1.0), out.getDouble("tokenCpuUsPerConnect", -1.0));
    }

    /** The resume scenario (targets with history only): see {@link LoadGen#resume}. */
    void resume() {
      if (!history) {
        return;
      }
      if (d("warmup") > 0) {
        // the resume path (auth with positions, history reads, replay) is not in the other warm-up: top -H showed
        // the nodes' C2 compiler threads at a third of a core each during the first timed resumes
        System.err.println("== " + name + ": resume warm-up (untimed)");
        gen.resume(Math.min(50, i("resume-sockets")), i("resume-missed"), 10, Long.parseLong(s("resume-timeout")));
      }
      for (int c : resumeConcurrency(s("resume-concurrency"))) {
        System.err.println("== " + name + ": resume, " + c + " at once");
        JsonObject r = gen.resume(i("resume-sockets"), i("resume-missed"), c, Long.parseLong(s("resume-timeout")));
        res.put("resume-c" + c, r);
        System.err.printf("   resume of %d missed x %d sockets: %d complete, %d failed (%s); auth -> last replayed p50 %.2f p99 %.2f"
          + " max %.2f ms; srv cpu %.2f%n", r.getInteger("missed"), r.getInteger("sockets"), r.getInteger("complete"),
          r.getInteger("failed"), r.getJsonObject("failures").encode(), r.getDouble("p50Ms"), r.getDouble("p99Ms"),
          r.getDouble("maxMs"), r.getDouble("serverCpu"));
      }
    }

    void jfrStart() {
      jfr("jfr", true);
    }

    void jfrStop() {
      jfr("jfr", false);
    }

    /** Starts or stops (dumping into the file the option names) a JFR recording on socket-push, if the option is set. */
    /** Writes the heap histogram of this target's first process (--histogram), where a connection's bytes go. */
    private void histogram(String suffix) {
      if (s("histogram").isEmpty() || server == null) {
        return;
      }
      String out = server.jcmd("GC.class_histogram");
      Path file = Path.of(s("histogram") + "-" + name + suffix + ".txt");
      try {
        java.nio.file.Files.writeString(file, out == null ? "jcmd GC.class_histogram failed\n"
            : String.join("\n", out.lines().limit(150).toList()) + "\n");
        res.put("histogram", file.toAbsolutePath().toString());
        String nmt = server.jcmd("VM.native_memory", "summary"); // with -XX:NativeMemoryTracking=summary in --server-jvm-args
        if (nmt != null && nmt.contains("Total:")) {
          java.nio.file.Files.writeString(Path.of(s("histogram") + "-" + name + suffix + "-nmt.txt"), nmt);
        }
      } catch (java.io.IOException e) {
        System.err.println("   histogram: " + e);
      }
    }

    private void jfr(String option, boolean start) {
      if (!name.equals("socketpush") || s(option).isEmpty()) {
        return;
      }
      if (start) {
        System.err.println("   JFR: " + server.jcmd("JFR.start", "name=" + option, "settings=profile"));
        return;
      }
      String file = Path.of(s(option)).toAbsolutePath().toString();
      System.err.println("   JFR: " + server.jcmd("JFR.dump", "name=" + option, "filename=" + file));
      server.jcmd("JFR.stop", "name=" + option);
      res.put(option, file);
    }

    @Override
    public void close() {
      if (gen != null) {
        res.put("openAtEnd", gen.open());
        gen.close();
      }
      if (!servers.isEmpty()) {
        res.put("rssEndKb", rssKb());
        for (int k = servers.size() - 1; k >= 0; k--) {
          servers.get(k).close();
        }
      }
    }
  }

  /** The HS256 secret of the socket-push targets' tokens section (the auth scenario mints tokens with it). */
  static final String TOKEN_SECRET = "bench-token-secret-of-at-least-32-chars";

  private static Double median(List<Double> xs) {
    if (xs == null || xs.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(xs);
    java.util.Collections.sort(sorted);
    int n = sorted.size();
    return LoadGen.round(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
  }

  /** A reading summed over {@code items}; -1 (unknown) if any of them does not have it. */
  static <T> long sumOrUnknown(java.util.Collection<T> items, java.util.function.ToLongFunction<T> reading) {
    long sum = 0;
    for (T item : items) {
      long v = reading.applyAsLong(item);
      if (v < 0) {
        return -1;
      }
      sum += v;
    }
    return sum;
  }

  private static final List<String> FIXED = List.of("user", "fanout", "channels");

  /** Servers one after the other: each gets the machine alone, but the machine's load may change between them. */
  private JsonObject runTarget(String name) throws Exception {
    try (Target t = new Target(name)) {
      t.open();
      t.warmup();
      if (has("user")) {
        t.scenario("user");
      }
      t.jfrStart();
      for (String key : FIXED.subList(1, 3)) {
        if (has(key)) {
          t.scenario(key);
        }
      }
      if (has("resume")) {
        t.resume();
      }
      if (has("auth")) {
        t.authCompare();
      }
      if (has("step")) {
        stepped(List.of(t));
      }
      t.jfrStop();
      return t.res;
    }
  }

  /**
   * Both servers up at once (both pinned to the same core; the idle one costs little), every scenario and
   * every step run on one then the other: a change in the machine's load hits both alike.
   */
  private JsonObject runInterleaved(List<String> names) throws Exception {
    List<Target> ts = new ArrayList<>();
    try {
      for (String n : names) {
        Target t = new Target(n);
        ts.add(t);
        t.open();
      }
      for (Target t : ts) {
        t.warmup();
      }
      boolean jfr = false;
      for (String key : FIXED) {
        if (!has(key)) {
          continue;
        }
        if (!key.equals("user") && !jfr) {
          ts.forEach(Target::jfrStart);
          jfr = true;
        }
        for (Target t : ts) {
          t.scenario(key);
        }
      }
      if (has("resume")) {
        ts.forEach(Target::resume);
      }
      if (has("auth")) {
        ts.forEach(Target::authCompare);
      }
      if (has("step")) {
        stepped(ts);
      }
      ts.forEach(Target::jfrStop);
    } finally {
      for (int k = ts.size() - 1; k >= 0; k--) {
        ts.get(k).close();
      }
    }
    JsonObject out = new JsonObject();
    ts.forEach(t -> out.put(t.name, t.res));
    return out;
  }

  /**
   * Stepped open-loop search, the same rates for every target, alternating between them at each step: a
   * target stops after a failed step retried once (no loss and p99 under the limit is a sustained step).
   */
  private void stepped(List<Target> ts) {
    boolean all = s("step-stream").equals("fanout");
    int n = i("sockets");
    String label = all ? "fanout step 1x" + n : "step " + i("groups") + " channels";
    Stream stream = all ? Stream.ALL : Stream.GROUP;
    double limit = d("p99-limit");
    double coarse = d("step-factor");
    double fine = d("step-fine-factor");
    Map<Target, JsonArray> steps = new LinkedHashMap<>();
    Map<Target, JsonObject> best = new HashMap<>();
    // per target: its next rate, and once it failed a coarse step, the lowest rate it failed at (fine phase)
    Map<Target, Double> rates = new HashMap<>();
    Map<Target, Double> failedAt = new HashMap<>();
    java.util.Set<Target> done = new java.util.HashSet<>();
    double start = d("step-start") * (all ? 1 : i("groups"));
    ts.forEach(t -> {
      steps.put(t, new JsonArray());
      rates.put(t, start);
    });
    for (int k = 0; k < i("step-max"); k++) {
      boolean anyActive = false;
      for (Target t : ts) {
        if (done.contains(t)) {
          continue;
        }
        anyActive = true;
        double rate = rates.get(t);
        boolean finePhase = failedAt.containsKey(t);
        JsonObject st = null;
        boolean ok = false;
        for (int attempt = 0; attempt < 2 && !ok; attempt++) { // a failed step is retried once at the same rate
          st = t.gen.runRate(t.name + " " + label + " " + (k + 1), stream, rate, d("step-seconds"), 3_000);
          ok = LoadGen.sustained(st, limit);
          st.put("sustained", ok).put("fine", finePhase);
          steps.get(t).add(st);
        }
        if (ok) {
          if (!best.containsKey(t) || st.getDouble("deliveredPerSec") > best.get(t).getDouble("deliveredPerSec")) {
            best.put(t, st);
          }
          double next = rate * (finePhase ? fine : coarse);
          if (finePhase && next >= failedAt.get(t) * 0.999) {
            done.add(t); // the next fine step would reach the rate it already failed at
          } else {
            rates.put(t, next);
          }
        } else if (finePhase || fine <= 1 || !best.containsKey(t)) {
          done.add(t);
        } else {
          // first failure: go on from the best sustained rate in finer steps, below the rate that failed
          failedAt.put(t, rate);
          double next = best.get(t).getDouble("offeredRate") * fine;
          if (next >= rate * 0.999) {
            done.add(t);
          } else {
            rates.put(t, next);
          }
        }
      }
      if (!anyActive) {
        break;
      }
    }
    for (Target t : ts) {
      JsonObject out = new JsonObject().put("scenario", label).put("p99LimitMs", limit).put("steps", steps.get(t));
      JsonObject b = best.get(t);
      if (b != null) {
        out.put("bestOfferedRate", b.getDouble("offeredRate")).put("bestDeliveredPerSec", b.getDouble("deliveredPerSec"))
            .put("bestP99Ms", b.getDouble("p99Ms")).put("bestGenCpu", b.getDouble("genCpu"))
            .put("bestServerCpu", b.getDouble("serverCpu")).put("bestServerCpuUsPerDelivery", b.getValue("serverCpuUsPerDelivery"));
      } else {
        out.put("bestDeliveredPerSec", 0.0);
      }
      t.res.put("step", out);
      System.err.printf("   %s best sustained: %.0f deliveries/s%n", t.name, out.getDouble("bestDeliveredPerSec"));
    }
  }

  private JsonObject summary(JsonObject r) {
    System.err.printf("   %s: %.0f delivered/s, p50 %.2f p99 %.2f p999 %.2f max %.2f ms, lost %d, dups %d, gen cpu %.2f, srv cpu %.2f%n",
        r.getString("scenario"), r.getDouble("deliveredPerSec"), r.getDouble("p50Ms"), r.getDouble("p99Ms"),
        r.getDouble("p999Ms"), r.getDouble("maxMs"), r.getLong("lost"), r.getLong("duplicates"), r.getDouble("genCpu"),
        r.getDouble("serverCpu"));
    return r;
  }

  /** {@code taskset} (when pinning) + java + heap options: how every server JVM of the bench starts. */
  private List<String> javaServerPrefix() {
    List<String> cmd = new ArrayList<>();
    if (!s("server-cpu").isEmpty()) {
      cmd.addAll(List.of("taskset", "-c", s("server-cpu")));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx" + s("xmx"), "-Djava.net.preferIPv4Stack=true"));
    for (String a : s("server-jvm-args").trim().split("\\s+")) {
      if (!a.isEmpty()) {
        cmd.add(a);
      }
    }
    return cmd;
  }

  private ServerProcess startServer(String name, String jar, boolean sp, int edgePort, int adminPort, JsonObject extras) throws IOException {
    if (name.equals("socketpush") && !s("pid").isEmpty()) {
      return ServerProcess.attach(Long.parseLong(s("pid")));
    }
    List<String> cmd = javaServerPrefix();
    if (sp) {
      // single node, not clustered: other engineers' clustered tests run on this machine
      JsonObject conf = new JsonObject().put("nodeId", name.equals("socketpush") ? "bench" : "bench-" + name)
          .put("edge", new JsonObject().put("host", "127.0.0.1").put("port", edgePort).put("pingTimeout", 600_000)
              .put("authTimeout", 60_000))
          .put("management", new JsonObject().put("host", "127.0.0.1").put("port", adminPort))
          .put("cluster", new JsonObject().put("requestTimeout", 10_000));
      conf.mergeIn(extras, true);
      cmd.addAll(List.of("-jar", jar, "-conf", conf.encode()));
      if (Kind.of(name).ref() && !s("ref-options").isBlank()) {
        cmd.addAll(List.of("-options", new JsonObject(s("ref-options")).encode()));
      }
    } else {
      // the bench's own class path: the baseline lives in the bench jar, Vert.x in the server jar beside it
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BaselineServer.class.getName(), String.valueOf(edgePort),
          String.valueOf(adminPort)));
    }
    return ServerProcess.start(cmd, Path.of("bench", "logs", name + ".log"), edgePort, 60_000);
  }

  // ---------------------------------------------------------------- machine and pinning

  static JsonObject machine() {
    String cpu = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    } catch (IOException e) {
      // not Linux
    }
    return new JsonObject().put("nproc", Runtime.getRuntime().availableProcessors()).put("cpu", cpu)
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("memoryMb", Runtime.getRuntime().maxMemory() / 1024 / 1024).put("loadavgBefore", loadavg());
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  /** Pins every thread of this JVM (and so the threads it creates later) to {@code cpus}. */
  static void pinSelf(String cpus) {
    try {
      Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, String.valueOf(ProcessHandle.current().pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor() != 0) {
        System.err.println("taskset failed; the load generator is not pinned");
      }
    } catch (IOException e) {
      System.err.println("taskset unavailable; the load generator is not pinned: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- report

  /** One table row: a number (ratio shown) or a text such as "0 / 0" (no ratio). */
  private record Row(String label, Function<JsonObject, Object> value) {
  }

  private static Double get(JsonObject t, String scenario, String key) {
    if (t == null || !(t.getValue(scenario) instanceof JsonObject o) || !(o.getValue(key) instanceof Number n)) {
      return null;
    }
    return n.doubleValue();
  }

  private static Object pair(JsonObject t, String scenario, String k1, String k2) {
    Double a = get(t, scenario, k1);
    Double b = get(t, scenario, k2);
    return a == null ? null : cell(a) + " / " + cell(b);
  }

  private List<Row> rows(JsonObject cfg) {
    List<Row> rows = new ArrayList<>();
    String n = cfg.getString("sockets");
    rows.add(new Row("connect (after " + Math.min(Integer.parseInt(n) / 5, 1000) + " warm-up sockets): connections/s",
        t -> get(t, "connect", "connectsPerSec")));
    rows.add(new Row("connect: failures", t -> get(t, "connect", "failed")));
    rows.add(new Row("connect: handshake+auth p99 ms", t -> get(t, "connect", "connectP99Ms")));
    rows.add(new Row("connect: generator / server CPU (cores)", t -> pair(t, "connect", "genCpu", "serverCpu")));
    rows.add(new Row("connect: server CPU us per connection", t -> get(t, "connect", "serverCpuUsPerConnect")));
    rows.add(new Row("idle heap per connection KiB", t -> get(t, "connect", "heapPerConnKb")));
    rows.add(new Row("idle RSS per connection KiB", t -> get(t, "connect", "rssPerConnKb")));
    rows.add(new Row("idle server CPU with every socket connected (cores)", t -> get(t, "idle", "serverCpu")));
    rows.add(new Row("auth: session auth connections/s (median of rounds)", t -> get(t, "auth", "sessionConnectsPerSec")));
    rows.add(new Row("auth: token auth (HS256) connections/s (median of rounds)", t -> get(t, "auth", "tokenConnectsPerSec")));
    rows.add(new Row("auth: session auth server CPU us per connection", t -> get(t, "auth", "sessionCpuUsPerConnect")));
    rows.add(new Row("auth: token auth server CPU us per connection", t -> get(t, "auth", "tokenCpuUsPerConnect")));
    for (String[] sc : new String[][] {{"user", "user publish @" + cfg.getString("user-rate") + "/s"},
        {"fanout", "fan-out 1x" + n + " @" + cfg.getString("fanout-rate") + "/s"},
        {"channels", cfg.getString("groups") + " channels @" + cfg.getString("channels-rate") + "/s"}}) {
      rows.add(new Row(sc[1] + ": delivered/s", t -> get(t, sc[0], "deliveredPerSec")));
      rows.add(new Row(sc[1] + ": p50 ms", t -> get(t, sc[0], "p50Ms")));
      rows.add(new Row(sc[1] + ": p99 ms", t -> get(t, sc[0], "p99Ms")));
      rows.add(new Row(sc[1] + ": p999 ms", t -> get(t, sc[0], "p999Ms")));
      rows.add(new Row(sc[1] + ": max ms", t -> get(t, sc[0], "maxMs")));
      rows.add(new Row(sc[1] + ": lost / dups", t -> pair(t, sc[0], "lost", "duplicates")));
      rows.add(new Row(sc[1] + ": generator / server CPU (cores)", t -> pair(t, sc[0], "genCpu", "serverCpu")));
      rows.add(new Row(sc[1] + ": server CPU us per delivery", t -> get(t, sc[0], "serverCpuUsPerDelivery")));
      rows.add(new Row(sc[1] + ": generator CPU us per delivery", t -> get(t, sc[0], "genCpuUsPerDelivery")));
    }
    String step = cfg.getString("step-stream").equals("fanout") ? "step 1x" + n : "step " + cfg.getString("groups") + " channels";
    rows.add(new Row(step + ": best sustained delivered/s (p99<" + cfg.getString("p99-limit") + "ms, no loss)",
        t -> get(t, "step", "bestDeliveredPerSec")));
    rows.add(new Row(step + ": p99 ms at best", t -> get(t, "step", "bestP99Ms")));
    rows.add(new Row(step + ": generator / server CPU at best", t -> pair(t, "step", "bestGenCpu", "bestServerCpu")));
    rows.add(new Row(step + ": server CPU us per delivery at best", t -> get(t, "step", "bestServerCpuUsPerDelivery")));
    for (int c : resumeConcurrency(cfg.getString("resume-concurrency"))) {
      resumeRows(rows, cfg, c);
    }
    return rows;
  }

  private static void resumeRows(List<Row> rows, JsonObject cfg, int c) {
    String key = "resume-c" + c;
    String resume = "resume of " + cfg.getString("resume-missed") + " missed messages x " + cfg.getString("resume-sockets")
        + " sockets, " + c + " at once";
    rows.add(new Row(resume + ": complete / failed sockets", t -> pair(t, key, "complete", "failed")));
    rows.add(new Row(resume + ": failures (no position / not recovered / missing / extra / out of order / timed out / publishes failed)",
        t -> t != null && t.getValue(key) instanceof JsonObject r && r.getValue("failures") instanceof JsonObject f
            ? f.getValue("noPosition") + " / " + f.getValue("notRecovered") + " / " + f.getValue("missing") + " / " + f.getValue("extra") + " / " + f.getValue("outOfOrder")
                + " / " + f.getValue("timedOut") + " / " + r.getValue("publishFailed") : null));
    rows.add(new Row(resume + ": auth frame -> last replayed message p50 ms", t -> get(t, key, "p50Ms")));
    rows.add(new Row(resume + ": auth frame -> last replayed message p99 ms", t -> get(t, key, "p99Ms")));
    rows.add(new Row(resume + ": auth frame -> last replayed message max ms", t -> get(t, key, "maxMs")));
    rows.add(new Row(resume + ": auth frame -> auth reply p99 ms", t -> get(t, key, "authP99Ms")));
    rows.add(new Row(resume + ": server CPU (cores) in the last second before the resumes", t -> get(t, key, "serverCpuBeforeResume")));
    rows.add(new Row(resume + ": server CPU us per replayed message (with the reconnect)", t -> get(t, key, "serverCpuUsPerMessage")));
  }

  private JsonObject ratios(JsonObject sp, JsonObject base) {
    JsonObject r = new JsonObject();
    if (sp == null || base == null) {
      return r;
    }
    r.put("connectsPerSec", ratio(get(sp, "connect", "connectsPerSec"), get(base, "connect", "connectsPerSec")));
    r.put("heapPerConn", ratio(get(sp, "connect", "heapPerConnKb"), get(base, "connect", "heapPerConnKb")));
    r.put("userP99", ratio(get(sp, "user", "p99Ms"), get(base, "user", "p99Ms")));
    r.put("fanoutDeliveredPerSec", ratio(get(sp, "fanout", "deliveredPerSec"), get(base, "fanout", "deliveredPerSec")));
    r.put("channelsDeliveredPerSec", ratio(get(sp, "channels", "deliveredPerSec"), get(base, "channels", "deliveredPerSec")));
    r.put("userServerCpuPerDelivery", ratio(get(sp, "user", "serverCpuUsPerDelivery"), get(base, "user", "serverCpuUsPerDelivery")));
    r.put("fanoutServerCpuPerDelivery", ratio(get(sp, "fanout", "serverCpuUsPerDelivery"), get(base, "fanout", "serverCpuUsPerDelivery")));
    r.put("channelsServerCpuPerDelivery", ratio(get(sp, "channels", "serverCpuUsPerDelivery"), get(base, "channels", "serverCpuUsPerDelivery")));
    r.put("stepBestDeliveredPerSec", ratio(get(sp, "step", "bestDeliveredPerSec"), get(base, "step", "bestDeliveredPerSec")));
    return r;
  }

  private static Double ratio(Double a, Double b) {
    return a == null || b == null || b == 0 ? null : LoadGen.round(a / b);
  }

  private String markdown(JsonObject out) {
    JsonObject m = out.getJsonObject("machine");
    JsonObject cfg = out.getJsonObject("config");
    JsonObject t = out.getJsonObject("targets");
    JsonObject sp = t.getJsonObject("socketpush");
    JsonObject base = t.getJsonObject("baseline");
    JsonObject cl = t.getJsonObject("cluster");
    StringBuilder b = new StringBuilder();
    b.append("\n## ").append(out.getString("time")).append("\n\n");
    b.append("Machine: ").append(m.getInteger("nproc")).append(" cores, ").append(m.getString("cpu")).append(", ")
        .append(m.getString("java")).append(", ").append(m.getString("os")).append(". Load average before/after: ")
        .append(m.getString("loadavgBefore")).append(" / ").append(m.getString("loadavgAfter")).append(".\n");
    b.append("Servers pinned to core ").append(cfg.getString("server-cpu").isEmpty() ? "(none)" : cfg.getString("server-cpu"))
        .append(" (-Xmx").append(cfg.getString("xmx")).append("), load generator on core ")
        .append(cfg.getString("client-cpu").isEmpty() ? "(none)" : cfg.getString("client-cpu")).append(" (")
        .append(cfg.getString("client-loops")).append(" socket event loop(s)); ").append(cfg.getString("sockets"))
        .append(" sockets, ").append(cfg.getString("duration")).append(" s per fixed-rate scenario, steps of ")
        .append(cfg.getString("step-seconds")).append(" s over ").append(cfg.getString("step-stream")).append(" from ").append(cfg.getString("step-start")).append(" publishes/s per channel x")
        .append(cfg.getString("step-factor")).append(", then x").append(cfg.getString("step-fine-factor"))
        .append(" from the best sustained step below the first failed one. ")
        .append(Boolean.parseBoolean(cfg.getString("interleave")) ? "Both servers up at once, every scenario and step alternating between them."
            : "Servers one after the other.").append("\n");
    if (!cfg.getString("note").isEmpty()) {
      b.append(cfg.getString("note")).append("\n");
    }
    JsonObject spOff = t.getJsonObject("socketpush-nohist");
    JsonObject clOff = t.getJsonObject("cluster-nohist");
    if (base != null || cl == null && spOff == null) {
      table(b, rows(cfg), "socket-push", sp, "baseline", base);
    }
    String onConf = cfg.getString("streams").isBlank() ? "the default streams rules" : "streams " + cfg.getString("streams");
    if (sp != null && spOff != null) {
      b.append("\nHistory on vs off, single node (").append(onConf).append(" against streams ").append(cfg.getString("nohist-streams"))
          .append("), same run:\n");
      table(b, rows(cfg), "history on", sp, "history off", spOff);
    }
    if (cl != null && clOff != null) {
      b.append("\nHistory on vs off, 3-node cluster (").append(cl.getValue("nodes")).append("; ").append(onConf)
          .append(" against streams ").append(cfg.getString("nohist-streams")).append("), same run:\n");
      List<Row> rows = new ArrayList<>(rows(cfg));
      for (String[] sc : new String[][] {{"user", "user publish"}, {"fanout", "fan-out"}, {"channels", "channels"}}) {
        rows.add(new Row(sc[1] + ": event-bus requests between nodes per publish", x -> get(x, sc[0], "remoteMessagesPerPublish")));
      }
      table(b, rows, "history on", cl, "history off", clOff);
    }
    if (cl != null && (sp != null || clOff == null)) {
      b.append("\n3-node cluster (").append(cl.getValue("nodes")).append("; sockets on the edge node, setup and publishes through"
          + " the management API of another node, every node pinned like the single node) against the single node:\n");
      List<Row> rows = new ArrayList<>(rows(cfg));
      for (String[] sc : new String[][] {{"user", "user publish"}, {"fanout", "fan-out"}, {"channels", "channels"}}) {
        rows.add(new Row(sc[1] + ": event-bus requests between nodes per publish (each has a reply; heartbeats and idle traffic not counted)",
            x -> get(x, sc[0], "remoteMessagesPerPublish")));
      }
      table(b, rows, "3-node cluster", cl, "single node", sp);
    }
    JsonObject ref = t.getJsonObject("socketpush-ref");
    if (sp != null && ref != null) {
      b.append("\nThis build (").append(cfg.getString("jar")).append(") against the reference build (").append(cfg.getString("ref-jar"))
          .append(cfg.getString("ref-options", "").isBlank() ? "" : ", Vert.x options " + cfg.getString("ref-options"))
          .append("), same run, same config:\n");
      table(b, rows(cfg), "socket-push", sp, "reference", ref);
    }
    JsonObject secure = t.getJsonObject("cluster-secure");
    if (secure != null && cl != null) {
      b.append("\n3-node cluster with a cluster secret (JGroups SYM_ENCRYPT AES-256, event bus TLS with mutual auth) against"
          + " the same cluster without one, same run:\n");
      table(b, rows(cfg), "secured cluster", secure, "open cluster", cl);
    }
    for (String name : List.of("socketpush", "socketpush-nohist", "socketpush-ref", "baseline", "cluster", "cluster-nohist", "cluster-secure")) {
      JsonObject tt = t.getJsonObject(name);
      if (tt != null && tt.getValue("step") instanceof JsonObject st) {
        b.append("\n").append(name).append(" steps (offered publishes/s -> delivered/s, p99 ms, lost, gen/srv CPU): ");
        List<String> parts = new ArrayList<>();
        for (Object o : st.getJsonArray("steps", new JsonArray())) {
          JsonObject s = (JsonObject) o;
          parts.add(LoadGen.fmt(s.getDouble("offeredRate")) + " -> " + Math.round(s.getDouble("deliveredPerSec")) + ", "
              + s.getDouble("p99Ms") + ", " + s.getLong("lost") + ", " + s.getDouble("genCpu") + "/" + s.getDouble("serverCpu")
              + (s.getBoolean("sustained") ? "" : " (fail)"));
        }
        b.append(String.join("; ", parts)).append("\n");
      }
      if (tt != null && tt.getValue("error") != null) {
        b.append("\n").append(name).append(" failed: ").append(tt.getString("error")).append("\n");
      }
    }
    b.append("\nRatios are the first column / the second (socket-push / baseline, cluster / single node, history on / off; higher is better for rates, lower for latency, memory and CPU cost). ")
        .append("CPU us per delivery = the process's CPU time / messages delivered: the cost, robust to how much of ")
        .append("the core the process got on a shared machine (its inverse is the rate one dedicated core would sustain). ")
        .append("Lost = accepted publishes a subscribed socket never received; dups = frames received twice.\n");
    return b.toString();
  }

  /** One Markdown table of {@code rows}, column a against column c, with their ratio where both are numbers. */
  private static void table(StringBuilder b, List<Row> rows, String aName, JsonObject a, String cName, JsonObject c) {
    b.append("\n| metric | ").append(aName).append(" | ").append(cName).append(" | ratio |\n|---|---:|---:|---:|\n");
    for (Row row : rows) {
      Object x = row.value().apply(a);
      Object y = row.value().apply(c);
      if (x == null && y == null) {
        continue;
      }
      String ratio = x instanceof Double dx && y instanceof Double dy ? cell(ratio(dx, dy)) : "";
      b.append("| ").append(row.label()).append(" | ").append(cell(x)).append(" | ").append(cell(y))
          .append(" | ").append(ratio).append(" |\n");
    }
  }

  private static String cell(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double d) {
      return Math.abs(d) >= 100 || d == Math.rint(d) ? String.valueOf(Math.round(d)) : String.format("%.2f", d);
    }
    return String.valueOf(v);
  }
}
