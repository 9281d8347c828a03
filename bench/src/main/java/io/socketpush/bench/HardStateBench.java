package io.socketpush.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The hard-state benchmark: the cost of subscribing to one channel as it grows. Starts the benchmark's
 * 3-node cluster (two nodes own the channel shards and hold the two copies of the subscriptions cache),
 * then subscribes new users to one channel through the management API of one node. At each level (1k, 10k,
 * 100k subscribers) it fills the channel untimed up to the level minus one window, then times one window of
 * subscribes (1,000 by default): rate, p50/p99 latency, wall time and server CPU per 1,000, failures. The
 * cost per 1,000 at each level is compared with the first level's, from the same run.
 *
 * <pre>
 * bench/run.sh hardstate [--levels 1000,10000,100000] [--window 1000] [--concurrency 16] [--compare-jar old.jar]
 * </pre>
 * {@code --compare-jar} runs the same levels (or {@code --compare-levels}) against another build first, e.g.
 * the one before subscriptions were stored one entry per pair. Results: a JSON line on stdout, a Markdown
 * table appended to bench/results.md.
 */
public final class HardStateBench {
  private static final Map<String, String[]> OPTIONS = new LinkedHashMap<>();

  static {
    opt("jar", "target/socket-push.jar", "fat jar the cluster is started from");
    opt("compare-jar", "", "another build to run first with the same procedure (empty: none)");
    opt("compare-levels", "", "levels for --compare-jar (empty: --levels)");
    opt("levels", "1000,10000,100000", "channel sizes at which a window of subscribes is timed");
    opt("window", "1000", "timed subscribes per level");
    opt("concurrency", "16", "subscribe calls in flight");
    opt("warmup", "20000", "untimed subscribes to another channel first, so the first level is not the JIT's");
    opt("fill-concurrency", "32", "subscribe calls in flight while filling the channel up to the next level (untimed)");
    opt("cluster-ports", "18300,18401", "client port of the edge node, admin port of the node the calls go through");
    opt("server-cpu", "0", "core the servers are pinned to with taskset (empty: not pinned)");
    opt("client-cpu", "1", "core this client pins itself to (empty: not pinned)");
    opt("xmx", "1g", "heap of each server");
    opt("results", "bench/results.md", "Markdown file the table is appended to (empty: none)");
    opt("note", "", "free text added to the Markdown entry");
  }

  private static void opt(String name, String def, String doc) {
    OPTIONS.put(name, new String[] {def, doc});
  }

  private final Map<String, String> args;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HardStateBench(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    OPTIONS.forEach((k, v) -> a.put(k, v[0]));
    for (int i = 0; i < argv.length; i++) {
      String k = argv[i].startsWith("--") ? argv[i].substring(2) : argv[i];
      if (k.equals("help") || !OPTIONS.containsKey(k) || i + 1 >= argv.length) {
        if (!k.equals("help")) {
          System.err.println("unknown or incomplete option " + argv[i]);
        }
        System.err.println("bench/run.sh hardstate [options]");
        OPTIONS.forEach((o, v) -> System.err.printf("  --%-18s %s (default: %s)%n", o, v[1], v[0].isEmpty() ? "none" : v[0]));
        return;
      }
      a.put(k, argv[++i]);
    }
    System.exit(new HardStateBench(a).run());
  }

  private String s(String k) {
    return args.get(k);
  }

  private int i(String k) {
    return Integer.parseInt(args.get(k));
  }

  private static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String p : csv.split(",")) {
      out.add(Integer.parseInt(p.trim()));
    }
    return out;
  }

  int run() throws Exception {
    JsonObject machine = Bench.machine();
    if (!s("client-cpu").isEmpty()) {
      Bench.pinSelf(s("client-cpu"));
    }
    JsonObject out = new JsonObject().put("time", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("machine", machine).put("config", new JsonObject(new LinkedHashMap<>(args)));
    JsonObject targets = new JsonObject();
    int rc = 0;
    List<String[]> runs = new ArrayList<>();
    if (!s("compare-jar").isEmpty()) {
      runs.add(new String[] {"compare", s("compare-jar"), s("compare-levels").isEmpty() ? s("levels") : s("compare-levels")});
    }
    runs.add(new String[] {"socketpush", s("jar"), s("levels")});
    for (String[] r : runs) {
      try {
        targets.put(r[0], runTarget(r[0], r[1], ints(r[2])));
      } catch (Exception e) {
        System.err.println("\n" + r[0] + " failed: " + e);
        targets.put(r[0], new JsonObject().put("error", String.valueOf(e)));
        rc = 1;
      }
    }
    out.put("targets", targets);
    machine.put("loadavgAfter", Bench.loadavg());
    System.out.println(out.encode());
    if (!s("results").isEmpty()) {
      Files.writeString(Path.of(s("results")), markdown(out), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      System.err.println("appended to " + s("results"));
    }
    return rc;
  }

  private JsonObject runTarget(String name, String jar, List<Integer> levels) throws Exception {
    String[] ports = s("cluster-ports").split(",");
    int adminPort = Integer.parseInt(ports[1]);
    List<String> prefix = new ArrayList<>();
    if (!s("server-cpu").isEmpty()) {
      prefix.addAll(List.of("taskset", "-c", s("server-cpu")));
    }
    prefix.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    prefix.addAll(List.of("-Xmx" + s("xmx"), "-Djava.net.preferIPv4Stack=true"));
    System.err.println("== " + name + ": starting the 3-node cluster from " + jar);
    ClusterNodes nodes = ClusterNodes.start(prefix, jar, Integer.parseInt(ports[0]), adminPort, false);
    JsonObject res = new JsonObject().put("jar", jar).put("nodes", nodes.describe());
    try {
      String channel = "hard-state-bench";
      int window = i("window");
      int subscribed = 0;
      JsonArray rows = new JsonArray();
      // a short warm-up on another channel, so the first level is not the JIT's
      System.err.printf("== %s: warm-up, %,d subscribes to another channel%n", name, i("warmup"));
      run(adminPort, "warm-up", 9_000_000, 9_000_000 + i("warmup"), i("fill-concurrency"), null);
      for (int level : levels) {
        int fillTo = Math.max(subscribed, level - window);
        if (fillTo > subscribed) {
          System.err.printf("== %s: filling %s to %,d subscribers%n", name, channel, fillTo);
          JsonObject fill = run(adminPort, channel, subscribed, fillTo, i("fill-concurrency"), null);
          if (fill.getInteger("failed") > 0) {
            System.err.printf("   %d subscribes failed while filling%n", fill.getInteger("failed"));
          }
          subscribed = fillTo;
        }
        long cpu0 = cpu(nodes);
        JsonObject row = run(adminPort, channel, subscribed, subscribed + window, i("concurrency"), new Histogram(3));
        long cpu1 = cpu(nodes);
        subscribed += window;
        row.put("subscribersAfter", subscribed)
            .put("serverCpuMsPer1000", round((cpu1 - cpu0) / 1e6 / window * 1000))
            .put("wallMsPer1000", round(row.getDouble("seconds") * 1000 / window * 1000));
        System.err.printf("   %,d subscribers: %.0f subscribes/s, p50 %.2f ms, p99 %.2f ms, server CPU %.0f ms per 1,000, %d failed%n",
            subscribed, row.getDouble("perSec"), row.getDouble("p50Ms"), row.getDouble("p99Ms"),
            row.getDouble("serverCpuMsPer1000"), row.getInteger("failed"));
        rows.add(row);
      }
      res.put("levels", rows);
      JsonObject first = rows.getJsonObject(0);
      for (Object o : rows) {
        JsonObject r = (JsonObject) o;
        r.put("cpuRatioToFirst", round(r.getDouble("serverCpuMsPer1000") / first.getDouble("serverCpuMsPer1000")))
            .put("wallRatioToFirst", round(r.getDouble("wallMsPer1000") / first.getDouble("wallMsPer1000")))
            .put("p99RatioToFirst", round(r.getDouble("p99Ms") / first.getDouble("p99Ms")));
      }
    } finally {
      nodes.processes().forEach(ServerProcess::close);
    }
    return res;
  }

  private static long cpu(ClusterNodes nodes) {
    long sum = 0;
    for (ServerProcess p : nodes.processes()) {
      sum += Math.max(0, p.cpuNanos());
    }
    return sum;
  }

  /** Subscribes users {@code from..to-1} to {@code channel}, {@code concurrency} calls in flight. */
  private JsonObject run(int adminPort, String channel, int from, int to, int concurrency, Histogram hist) throws InterruptedException {
    Semaphore inFlight = new Semaphore(concurrency);
    CountDownLatch done = new CountDownLatch(to - from);
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    URI uri = URI.create("http://127.0.0.1:" + adminPort + "/api/channel/subscribe");
    long t0 = System.nanoTime();
    for (int u = from; u < to; u++) {
      inFlight.acquire();
      String body = new JsonObject().put("userId", String.format(Locale.ROOT, "hs-%07d", u)).put("channelId", channel).encode();
      long start = System.nanoTime();
      http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete((resp, err) -> {
            long micros = (System.nanoTime() - start) / 1_000;
            if (err != null || resp.statusCode() != 200) {
              failed.incrementAndGet();
              firstError.compareAndSet(null, err != null ? err.toString() : resp.statusCode() + " " + resp.body());
            } else if (hist != null) {
              synchronized (hist) {
                hist.recordValue(Math.max(1, micros));
              }
            }
            inFlight.release();
            done.countDown();
          });
    }
    if (!done.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("subscribes did not finish within 30 minutes");
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    JsonObject r = new JsonObject().put("subscribes", to - from).put("failed", failed.get()).put("seconds", round(secs))
        .put("perSec", round((to - from) / secs)).put("concurrency", concurrency);
    if (firstError.get() != null) {
      r.put("firstError", firstError.get());
    }
    if (hist != null) {
      r.put("p50Ms", round(hist.getValueAtPercentile(50) / 1000.0)).put("p99Ms", round(hist.getValueAtPercentile(99) / 1000.0))
          .put("maxMs", round(hist.getMaxValue() / 1000.0));
    }
    return r;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private String markdown(JsonObject out) {
    JsonObject m = out.getJsonObject("machine");
    StringBuilder b = new StringBuilder("\n## ").append(out.getString("time")).append(" (hard state)\n\n")
        .append("Machine: ").append(m.getInteger("nproc")).append(" cores, ").append(m.getString("cpu")).append(", ")
        .append(m.getString("java")).append(". Load average before/after: ").append(m.getString("loadavgBefore"))
        .append(" / ").append(m.getString("loadavgAfter")).append(".\n")
        .append("`bench/run.sh hardstate");
    args.forEach((k, v) -> {
      if (!v.equals(OPTIONS.get(k)[0]) && !k.equals("note")) {
        b.append(" --").append(k).append(' ').append(v.contains(" ") ? "'" + v + "'" : v);
      }
    });
    b.append("`: the benchmark's 3-node cluster (all three JVMs pinned to core ").append(s("server-cpu"))
        .append(", this client on core ").append(s("client-cpu")).append("), new users subscribed to one channel through")
        .append(" one node's management API (HTTP); at each level ").append(s("window")).append(" subscribes timed with ")
        .append(s("concurrency")).append(" in flight, after an untimed fill.");
    if (!s("note").isEmpty()) {
      b.append("\n").append(s("note"));
    }
    b.append("\n");
    JsonObject targets = out.getJsonObject("targets");
    for (String t : targets.fieldNames()) {
      JsonObject res = targets.getJsonObject(t);
      b.append("\n**").append(t).append("** (").append(res.getString("jar", "")).append(")\n\n");
      if (res.containsKey("error")) {
        b.append("failed: ").append(res.getString("error")).append("\n");
        continue;
      }
      b.append("| subscribers on the channel | subscribes/s | p50 ms | p99 ms | wall ms per 1,000 | server CPU ms per 1,000 | failed |"
          + " CPU per 1,000 vs first level | p99 vs first level |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Object o : res.getJsonArray("levels")) {
        JsonObject r = (JsonObject) o;
        b.append(String.format(Locale.ROOT, "| %,d | %.0f | %.2f | %.2f | %.0f | %.0f | %d | %.2f | %.2f |%n",
            r.getInteger("subscribersAfter"), r.getDouble("perSec"), r.getDouble("p50Ms"), r.getDouble("p99Ms"),
            r.getDouble("wallMsPer1000"), r.getDouble("serverCpuMsPer1000"), r.getInteger("failed"),
            r.getDouble("cpuRatioToFirst"), r.getDouble("p99RatioToFirst")));
      }
    }
    return b.toString();
  }
}
