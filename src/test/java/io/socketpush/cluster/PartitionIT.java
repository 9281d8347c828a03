package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.NetnsCluster.Node;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Partitions between three hosts (network namespaces, {@link NetnsCluster}), under a 20/s channel publish
 * load sent round-robin to the three management APIs (one per side of any split), with clients on both edges
 * that reconnect to the other edge whenever theirs closes them, resuming with the positions they reached (as the
 * webroot JS client does). Each scenario faults node3 (edge, channel, user, management), heals, and measures:
 * <ul>
 *   <li>over the whole scenario, for every client and over all its sockets: acknowledged publishes it never
 *   received, duplicates (on one socket or across a reconnect), and resumes answered recovered:false (the history
 *   covers the longest outage, so none is excused);</li>
 *   <li>acknowledged writes (auth.set + channel.subscribe made during the fault, through every API) missing
 *   after the merge;</li>
 *   <li>wrong answers during the fault: getSubscribers answering 200 without a subscriber it had;</li>
 *   <li>N: time from the heal until all three nodes report the same ring version and three server nodes;</li>
 *   <li>stale presence after the merge: getFrontendServer of a client not equal to the edge of its open socket.</li>
 * </ul>
 * Figures go to stdout ("[partition]") and target/partition-results.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PartitionIT {
  static final int CLIENTS_PER_EDGE = 6;
  static final int CHANNELS = 4;
  static final long PUBLISH_EVERY_MS = 50;
  static final long CONVERGE_LIMIT_MS = 60_000;

  static NetnsCluster net;
  static Vertx local;
  static final Map<Integer, Http> api = new HashMap<>();
  static final List<Client> clients = new ArrayList<>();
  /** seq -> publish record. */
  static final Map<Integer, Pub> pubs = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> publishFailures = new ConcurrentHashMap<>();
  static final AtomicInteger seq = new AtomicInteger();
  static volatile boolean loading;
  static volatile boolean running = true;
  static long loadTimer = -1;
  static final StringBuilder results = new StringBuilder();

  static final class Pub {
    final int seq;
    final long sentAt;
    final int api;
    volatile long ackedAt;
    /** The position the owner answered ("epoch:offset"). */
    volatile String position;

    Pub(int seq, long sentAt, int api) {
      this.seq = seq;
      this.sentAt = sentAt;
      this.api = api;
    }
  }

  /** One socket's life: authenticated at, closed at (0: open). */
  static final class Life {
    final FrameClient socket;
    final String edge;
    final long authAt;
    volatile long closedAt;

    Life(FrameClient socket, String edge, long authAt) {
      this.socket = socket;
      this.edge = edge;
      this.authAt = authAt;
    }
  }

  /** A user's client: one socket at a time, reconnecting to the next edge when closed. */
  static final class Client {
    final String user;
    final List<Node> edges;
    final int home;
    volatile boolean homeNext;
    int next;
    final List<Life> lives = new CopyOnWriteArrayList<>();
    volatile Life current;
    final Map<String, AtomicInteger> closeReasons = new ConcurrentHashMap<>();
    /** Resumes the server answered recovered:false ("stream@position"). */
    final List<String> notRecovered = new CopyOnWriteArrayList<>();

    Client(String user, List<Node> edges, int first) {
      this.user = user;
      this.edges = edges;
      this.home = first;
      this.next = first;
    }

    /** Moves the client back to its home edge (so that every scenario starts with clients on both sides). */
    void goHome() {
      Life l = current;
      if (l != null && !l.edge.equals(edges.get(home).clientUrl())) {
        homeNext = true;
        l.socket.close();
      }
    }

    void connect() {
      if (!running) {
        return;
      }
      Node edge = edges.get(next % edges.size());
      JsonObject positions = positions();
      FrameClient.connect(local, edge.addr, NetnsCluster.EDGE_PORT, null)
          .compose(s -> {
            io.vertx.core.Promise<FrameClient> authed = io.vertx.core.Promise.promise();
            s.auth(user, "s-" + user, positions).timeout(8, TimeUnit.SECONDS).onComplete(r -> {
              if (r.succeeded() && "rec".equals(r.result().getString("type"))) {
                JsonObject recovered = r.result().getJsonObject("body", new JsonObject()).getJsonObject("recovered", new JsonObject());
                positions.forEach(e -> {
                  if (!Boolean.TRUE.equals(recovered.getValue(e.getKey()))) {
                    notRecovered.add(e.getKey() + "@" + e.getValue() + " on " + edge.clientUrl());
                  }
                });
                authed.tryComplete(s);
              } else {
                authed.tryFail("auth: " + (r.succeeded() ? r.result().encode() : r.cause().getMessage()));
              }
            });
            s.closed().onComplete(v -> authed.tryFail("closed before the auth reply"));
            return authed.future().onFailure(err -> s.close());
          })
          .onComplete(ar -> {
            if (ar.failed()) {
              next++; // as the JS client: the next edge, after a pause
              local.setTimer(500, t -> connect());
              return;
            }
            FrameClient s = ar.result();
            Life life = new Life(s, edge.clientUrl(), System.currentTimeMillis());
            lives.add(life);
            current = life;
            // the JS client pings every 5 s; without it the edge closes the socket as idle after pingTimeout
            long ping = local.setPeriodic(5_000, t -> s.send(new JsonObject().put("type", "ping")));
            s.closed().onComplete(v -> local.cancelTimer(ping));
            s.closed().onComplete(v -> {
              life.closedAt = System.currentTimeMillis();
              String why = s.frames().stream().filter(f -> "err".equals(f.getString("type")))
                  .map(f -> String.valueOf(f.getValue("body"))).reduce((a, b) -> b).orElse("closed " + s.closeCode());
              closeReasons.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
              current = null;
              if (homeNext) {
                homeNext = false;
                next = home;
              } else {
                next++;
              }
              local.setTimer(300, t -> connect());
            });
          });
    }

    /** Sequence numbers received, over every socket. */
    Map<Integer, Integer> received() {
      Map<Integer, Integer> got = new HashMap<>();
      for (Life l : lives) {
        for (int c = 0; c < CHANNELS; c++) {
          for (JsonObject f : l.socket.framesFor("channel.p" + c)) {
            if (f.getValue("body") instanceof Integer n) {
              got.merge(n, 1, Integer::sum);
            }
          }
        }
      }
      return got;
    }

    /** The position of the last message received on each channel, over every socket ("epoch:offset"). */
    JsonObject positions() {
      JsonObject out = new JsonObject();
      for (int c = 0; c < CHANNELS; c++) {
        String stream = "channel.p" + c;
        for (int i = lives.size() - 1; i >= 0 && !out.containsKey(stream); i--) {
          List<JsonObject> frames = lives.get(i).socket.framesFor(stream);
          for (int k = frames.size() - 1; k >= 0; k--) {
            JsonObject h = frames.get(k).getJsonObject("headers");
            if (h != null && h.getString("epoch") != null && h.getString("offset") != null) {
              out.put(stream, h.getString("epoch") + ":" + h.getString("offset"));
              break;
            }
          }
        }
      }
      return out;
    }

    /** What the client received on {@code stream} around {@code position} (offsets -3..+3), per socket (diagnostics). */
    String near(String stream, String position) {
      if (position == null || !position.contains(":")) {
        return "?";
      }
      String epoch = position.substring(0, position.indexOf(':'));
      long offset = Long.parseLong(position.substring(position.indexOf(':') + 1));
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < lives.size(); i++) {
        for (JsonObject f : lives.get(i).socket.framesFor(stream)) {
          JsonObject h = f.getJsonObject("headers");
          if (h != null && h.getString("offset") != null && Math.abs(Long.parseLong(h.getString("offset")) - offset) <= 3) {
            b.append("[socket ").append(i).append(' ').append(epoch.equals(h.getString("epoch")) ? "" : "epoch " + h.getString("epoch") + " ")
                .append(h.getString("offset")).append('=').append(f.getValue("body")).append(']');
          }
        }
      }
      return b.toString();
    }

    /** Whether {@code p} is owed to this client: sent after its first socket was authenticated (the whole run). */
    boolean expects(Pub p) {
      return !lives.isEmpty() && lives.get(0).authAt <= p.sentAt;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    NetnsCluster.assumeUsable();
    local = Vertx.vertx();
    net = NetnsCluster.create();
    try {
      net.startAll();
      for (Node n : net.nodes) {
        api.put(n.n, new Http(local, n.addr, NetnsCluster.ADMIN_PORT));
      }
      untilOrDump(PartitionIT::oneRing, 90_000, "all three nodes in one ring");
      List<Future<?>> writes = new ArrayList<>();
      List<Node> edges = List.of(net.node(1), net.node(3));
      for (int i = 0; i < 2 * CLIENTS_PER_EDGE; i++) {
        String u = "pu" + i;
        Future<?> w = call(2, "auth", "set", new JsonObject().put("userId", u).put("sessionId", "s-" + u));
        for (int c = 0; c < CHANNELS; c++) {
          String ch = "p" + c;
          w = w.compose(x -> call(2, "channel", "subscribe", new JsonObject().put("userId", u).put("channelId", ch)));
        }
        writes.add(w);
        clients.add(new Client(u, edges, i % 2));
      }
      Await.result(Future.all(writes), 60_000);
      clients.forEach(Client::connect);
      Await.until(() -> clients.stream().allMatch(c -> c.current != null), 60_000, "every client connected");
      startLoad();
      Await.until(() -> pubs.values().stream().filter(p -> p.ackedAt > 0).count() > 40, 30_000, "steady load");
    } catch (Throwable e) {
      System.out.println(net.tails());
      throw e;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    running = false;
    loading = false;
    try {
      if (!results.isEmpty()) {
        Path out = Path.of("target", "partition-results.md");
        Files.writeString(out, results.toString(), StandardCharsets.UTF_8);
      }
      if (local != null) {
        for (Client c : clients) {
          for (Life l : c.lives) {
            l.socket.close();
          }
        }
        Await.result(local.close(), 30_000);
      }
    } finally {
      if (net != null) {
        net.close();
      }
    }
  }

  static Future<JsonObject> call(int node, String service, String method, JsonObject params) {
    return api.get(node).call(service, method, params).compose(r -> r.status() == 200 ? Future.succeededFuture(r.body())
        : Future.failedFuture(r.status() + " " + r.body().getJsonObject("error", new JsonObject()).getString("code")));
  }

  /** 20 publishes/s, round-robin over channels p0..p3 and over the three management APIs; no retries. */
  static void startLoad() {
    loading = true;
    loadTimer = local.setPeriodic(PUBLISH_EVERY_MS, t -> {
      if (!loading) {
        local.cancelTimer(t);
        return;
      }
      int n = seq.getAndIncrement();
      int node = 1 + n % 3;
      Pub p = new Pub(n, System.currentTimeMillis(), node);
      pubs.put(n, p);
      call(node, "channel", "publish", new JsonObject().put("channelId", "p" + (n % CHANNELS)).put("message", n))
          .onSuccess(r -> {
            JsonObject res = r.getJsonObject("result", new JsonObject());
            p.position = res.getString("epoch") + ":" + res.getValue("offset");
            p.ackedAt = System.currentTimeMillis();
          })
          .onFailure(err -> publishFailures.computeIfAbsent(node + ":" + err.getMessage(), k -> new AtomicInteger()).incrementAndGet());
    });
  }

  // ---- the scenarios ----

  @Test
  @Order(1)
  void symmetricSplitOfNode3For20Seconds() throws Exception {
    scenario("symmetric split 2|1 (node3 isolated) 20 s", () -> {
      net.isolate(net.node(3));
      Thread.sleep(20_000);
      net.heal();
    });
  }

  @Test
  @Order(2)
  void oneWayLossFromNode3For20Seconds() throws Exception {
    scenario("one-way loss node3 -> others 20 s", () -> {
      net.oneWayLoss(net.node(3));
      Thread.sleep(20_000);
      net.heal();
    });
  }

  @Test
  @Order(3)
  void flappingLinkOfNode3Every2sFor20Seconds() throws Exception {
    // Two owners of a stream at once: the flapping link moves ownership back and forth, a new owner reads a meta
    // older than the previous owner's writes, and a write that timed out lands later. Before entries were written
    // first-writer-wins per offset this lost acknowledged messages in about half the runs (session 6: 3, 17, 9, 0,
    // 28 deliveries in 5 runs; the client held another message at the acknowledged position); the StreamLog log
    // line "offsets [..] of .. are another writer's" shows each collision that is now resolved instead.
    scenario("flapping link node3 (down/up every 2 s, 20 s)", () -> net.flap(net.node(3), 2_000, 20_000));
  }

  @Test
  @Order(4)
  void sigstopOfNode3For30Seconds() throws Exception {
    scenario("SIGSTOP node3 30 s", () -> {
      net.pause(net.node(3));
      try {
        Thread.sleep(30_000);
      } finally {
        net.resume(net.node(3));
      }
    });
  }

  interface Fault {
    void run() throws Exception;
  }

  /** Resumes told recovered:false per client before the current scenario. */
  static final Map<String, Integer> notRecoveredBefore = new ConcurrentHashMap<>();

  /**
   * Runs one fault under load with writes and reads probing every API, then heals, measures convergence and
   * checks the guarantees, for every client over the whole scenario (clients on the faulted edge included).
   */
  static void scenario(String name, Fault fault) throws Exception {
    untilOrDump(PartitionIT::oneRing, CONVERGE_LIMIT_MS, "one ring before " + name);
    clients.forEach(Client::goHome);
    Await.until(() -> clients.stream().allMatch(c -> c.current != null && c.current.edge.equals(c.edges.get(c.home).clientUrl())),
        60_000, "every client connected to its home edge before " + name);
    clients.forEach(c -> c.closeReasons.clear());
    String loadBefore = loadAverage();
    long start = System.currentTimeMillis();
    int firstSeq = seq.get();
    publishFailures.clear();
    // probes while the fault lasts: writes and reads through every API
    List<String[]> ackedWrites = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    List<String> wrong = new CopyOnWriteArrayList<>();
    Set<String> base = new TreeSet<>();
    clients.forEach(c -> base.add(c.user));
    AtomicInteger w = new AtomicInteger();
    String tag = name.replaceAll("[^a-zA-Z0-9]", "").substring(0, 8);
    long probe = local.setPeriodic(500, t -> {
      int i = w.getAndIncrement();
      int node = 1 + i % 3;
      String u = "w" + tag + i;
      String ch = "p" + (i % CHANNELS);
      call(node, "auth", "set", new JsonObject().put("userId", u).put("sessionId", "s"))
          .onSuccess(r -> ackedWrites.add(new String[] {"auth", u, "s"}));
      call(node, "channel", "subscribe", new JsonObject().put("userId", u).put("channelId", ch))
          .onSuccess(r -> ackedWrites.add(new String[] {"sub", u, ch}));
      call(node, "channel", "getSubscribers", new JsonObject().put("channelId", "p0")).onComplete(ar -> {
        if (ar.succeeded()) {
          Set<String> got = new HashSet<>();
          // one page (the default limit, 1,000, is far above this test's subscribers)
          ar.result().getJsonObject("result", new JsonObject()).getJsonArray("items", new JsonArray())
              .forEach(o -> got.add(String.valueOf(o)));
          if (got.containsAll(base)) {
            reads.computeIfAbsent("correct", k -> new AtomicInteger()).incrementAndGet();
          } else {
            reads.computeIfAbsent("wrong", k -> new AtomicInteger()).incrementAndGet();
            wrong.add("node" + node + " answered " + got.size() + " subscribers");
          }
        } else {
          String m = String.valueOf(ar.cause().getMessage());
          String kind = m.startsWith("The timeout period") ? "no answer in 10 s" : m.startsWith("Connection refused") ? "refused" : m.split(" ")[0];
          reads.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        }
      });
    });
    long healAt;
    try {
      fault.run();
    } finally {
      healAt = System.currentTimeMillis();
      net.heal();
      net.resume(net.node(3));
      local.cancelTimer(probe);
    }
    long convergedAt;
    try {
      untilOrDump(PartitionIT::oneRing, CONVERGE_LIMIT_MS, "one view and one ring after the heal of " + name);
      convergedAt = System.currentTimeMillis();
    } catch (AssertionError e) {
      convergedAt = -1;
    }
    // every client back on a socket, the load running on a healed cluster for a while
    Await.until(() -> clients.stream().allMatch(c -> c.current != null), 60_000, "every client connected after " + name);
    Thread.sleep(5_000);
    long end = System.currentTimeMillis();
    int lastSeq = seq.get();
    Thread.sleep(2_000); // in-flight acknowledgements and deliveries

    // losses, over the whole scenario and every socket of every client (waits, bounded, for replays in flight)
    long[] tally = new long[3]; // expected, lost, duplicates
    List<String> lostSamples = new ArrayList<>();
    long settleUntil = System.currentTimeMillis() + 20_000;
    do {
      lostSamples.clear();
      tally[0] = 0;
      tally[1] = 0;
      tally[2] = 0;
      for (Client c : clients) {
        Map<Integer, Integer> got = c.received();
        for (int s = firstSeq; s < lastSeq; s++) {
          Pub p = pubs.get(s);
          if (p == null || p.ackedAt == 0 || !c.expects(p)) {
            continue;
          }
          tally[0]++;
          if (!got.containsKey(s)) {
            tally[1]++;
            if (lostSamples.size() < 20 || lostSamples.stream().noneMatch(x -> x.startsWith(c.user + ":"))) {
              StringBuilder on = new StringBuilder();
              for (Life l : c.lives) {
                on.append(l.edge).append(" authed ").append(l.authAt - start).append(" closed ")
                    .append(l.closedAt == 0 ? "never" : String.valueOf(l.closedAt - start)).append(';');
              }
              lostSamples.add(c.user + ":" + s + "(api node" + p.api + ", sent " + (p.sentAt - start) + " ms, acked +"
                  + (p.ackedAt - p.sentAt) + " at " + p.position + ", sockets " + on + " received near it " + c.near("channel.p" + (s % CHANNELS), p.position) + ")");
            }
          }
          tally[2] += Math.max(0, got.getOrDefault(s, 1) - 1);
        }
      }
      if (tally[1] > 0) {
        Thread.sleep(500);
      }
    } while (tally[1] > 0 && System.currentTimeMillis() < settleUntil);
    long expected = tally[0];
    long lost = tally[1];
    long duplicates = tally[2];
    long acked = 0;
    for (int s = firstSeq; s < lastSeq; s++) {
      Pub p = pubs.get(s);
      if (p != null && p.ackedAt > 0) {
        acked++;
      }
    }
    List<String> notRecovered = new ArrayList<>();
    clients.forEach(c -> notRecovered.addAll(c.notRecovered.stream().skip(notRecoveredBefore.getOrDefault(c.user, 0)).toList()));
    clients.forEach(c -> notRecoveredBefore.put(c.user, c.notRecovered.size()));
    // duplicates on one socket (nothing may cause them) vs. across a client's reconnect (the same publish on
    // the socket the fence closed and on the new one: the resume's position must prevent them too)
    long sameSocketDuplicates = 0;
    for (Client c : clients) {
      for (Life l : c.lives) {
        for (int ch = 0; ch < CHANNELS; ch++) {
          List<JsonObject> frames = l.socket.framesFor("channel.p" + ch);
          sameSocketDuplicates += frames.size() - frames.stream().map(f -> f.getValue("body"))
              .filter(b -> b instanceof Integer n && n >= firstSeq && n < lastSeq).distinct().count()
              - frames.stream().filter(f -> !(f.getValue("body") instanceof Integer n && n >= firstSeq && n < lastSeq)).count();
        }
      }
    }

    // acknowledged writes after the merge
    int writesLost = 0;
    List<String> lostWrites = new ArrayList<>();
    Map<String, List<String>> subsOf = new HashMap<>();
    for (String[] wr : ackedWrites) {
      if ("auth".equals(wr[0])) {
        JsonObject r = Await.result(call(2, "auth", "check", new JsonObject().put("userId", wr[1]).put("sessionId", wr[2]))
            .otherwise(new JsonObject()), 15_000);
        if (!wr[1].equals(r.getString("result"))) {
          writesLost++;
          lostWrites.add("session " + wr[1]);
        }
      } else {
        List<String> subs = subsOf.computeIfAbsent(wr[1], u -> {
          JsonObject r = Await.result(call(2, "channel", "getSubscriptions", new JsonObject().put("userId", u))
              .otherwise(new JsonObject()), 15_000);
          List<String> out = new ArrayList<>();
          r.getJsonObject("result", new JsonObject()).getJsonArray("items", new JsonArray()).forEach(o -> out.add(String.valueOf(o)));
          return out;
        });
        if (!subs.contains(wr[2])) {
          writesLost++;
          lostWrites.add("subscription " + wr[1] + "->" + wr[2]);
        }
      }
    }

    // presence: each client's user is on exactly the edge of its open socket
    int stale = 0;
    List<String> staleSamples = new ArrayList<>();
    for (Client c : clients) {
      Life l = c.current;
      JsonObject r = Await.result(call(2, "user", "getFrontendServer", new JsonObject().put("userId", c.user))
          .otherwise(new JsonObject()), 15_000);
      Set<String> at = new TreeSet<>();
      r.getJsonArray("result", new JsonArray()).forEach(o -> at.add(String.valueOf(o)));
      if (l == null || !at.equals(Set.of(l.edge))) {
        stale++;
        staleSamples.add(c.user + " socket on " + (l == null ? "none" : l.edge) + ", presence " + at);
      }
    }
    Map<String, Integer> closes = new TreeMap<String, Integer>();
    clients.forEach(c -> c.closeReasons.forEach((k, v) -> closes.merge(k, v.get(), Integer::sum)));

    long convergeMs = convergedAt < 0 ? -1 : convergedAt - healAt;
    String line = String.format("| %s | %d | %d | %d | %d | %d / %d | %d of %d | %s | %s | %d | %s | %s |", name, acked, expected,
        lost, notRecovered.size(), sameSocketDuplicates, duplicates - sameSocketDuplicates, writesLost, ackedWrites.size(), reads,
        convergeMs < 0 ? "not within " + CONVERGE_LIMIT_MS / 1000 + " s" : String.format("%.1f s", convergeMs / 1000.0),
        stale, closes, loadBefore);
    System.out.println("[partition] " + line);
    System.out.println("[partition] publish failures by API node and answer: " + publishFailures);
    if (!lostSamples.isEmpty()) {
      System.out.println("[partition] lost samples: " + lostSamples);
    }
    if (!lostWrites.isEmpty()) {
      System.out.println("[partition] lost writes: " + lostWrites);
    }
    if (!wrong.isEmpty()) {
      System.out.println("[partition] wrong answers: " + wrong.subList(0, Math.min(10, wrong.size())));
    }
    if (!staleSamples.isEmpty()) {
      System.out.println("[partition] stale presence: " + staleSamples);
    }
    if (results.isEmpty()) {
      results.append("| scenario | publishes acked | deliveries owed (whole scenario, every client) | lost | resumes told not recovered |"
          + " duplicates on one socket / across a reconnect | acked writes lost | getSubscribers during the fault | one ring after heal (N) | stale presence |"
          + " client closes | load avg before |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    results.append(line).append('\n');

    if (!notRecovered.isEmpty()) {
      System.out.println("[partition] told not recovered: " + notRecovered);
    }
    assertEquals(0, lost, "acknowledged publishes a client never received (whole scenario, every socket) in " + name + ": " + lostSamples);
    assertEquals(0, notRecovered.size(), "resumes told recovered:false in " + name + ": " + notRecovered);
    assertEquals(0, duplicates, "duplicates (on one socket or across a reconnect) in " + name);
    assertEquals(0, writesLost, "acknowledged writes lost in " + name + ": " + lostWrites);
    assertEquals(0, reads.getOrDefault("wrong", new AtomicInteger()).get(), "wrong getSubscribers answers in " + name + ": " + wrong);
    assertTrue(convergeMs >= 0, "one view and one ring within " + CONVERGE_LIMIT_MS + " ms of the heal in " + name);
    assertEquals(0, stale, "stale presence after " + name + ": " + staleSamples);
    assertEquals(0, sameSocketDuplicates, "duplicates on one socket in " + name);
    assertTrue(acked > 100, "the load kept being acknowledged in " + name + " (" + acked + ")");
  }

  /** Every node answers status with three server nodes and the same ring version (none fenced). */
  static boolean oneRing() {
    Long version = null;
    for (int n = 1; n <= 3; n++) {
      try {
        JsonObject r = Await.result(api.get(n).call("cluster", "status", null), 5_000).body().getJsonObject("result");
        if (r == null) {
          return false;
        }
        long servers = r.getJsonArray("nodes").stream().filter(o -> !((JsonObject) o).getJsonArray("roles").isEmpty()).count();
        Long v = r.getLong("ringVersion");
        if (servers != 3 || v == null || (version != null && !version.equals(v))) {
          return false;
        }
        version = v;
      } catch (RuntimeException | AssertionError e) {
        return false;
      }
    }
    return true;
  }

  static void untilOrDump(java.util.function.BooleanSupplier condition, long timeoutMs, String what) {
    try {
      Await.until(condition, timeoutMs, what);
    } catch (AssertionError e) {
      System.out.println(net.tails());
      throw e;
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }
}
