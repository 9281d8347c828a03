package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No login waits on a dead owner (issue 12, item 2). On the example cluster (three JVMs), SIGKILL node3,
 * which owns about half of the user (presence) and channel shards, while new users keep logging in on the
 * surviving edge node1 (each login needs auth.check, presence attach, the user's subscriptions and the
 * channel interests). A login started between the kill and node1's detection of it completes within
 * detection + 1 s, every login succeeds, and none started after detection waits anything like the 5 s
 * request timeout (the old code: a third of them failed after 5 s).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LoginFailoverIT {
  static final int USERS = 400;
  static final int CHANNELS = 3;
  /** A new login is started this often (ms) from the kill until detection + 1.5 s. */
  static final long LOGIN_EVERY_MS = 20;
  static ExampleCluster cluster;

  /** One login: when it started and ended (epoch ms) and whether the edge answered {@code rec}. */
  record Login(String user, long startedAt, long endedAt, boolean ok, String answer) {
    long ms() {
      return endedAt - startedAt;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    cluster = new ExampleCluster().start("sp-login");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  static String user(int i) {
    return "lf" + i;
  }

  /** Connects a new socket to node1 and authenticates; never throws, records the outcome. */
  static Future<Login> login(String user) {
    long t0 = System.currentTimeMillis();
    return FrameClient.connect(cluster.local, 8080)
        .compose(c -> c.auth(user, "s-" + user).timeout(15, TimeUnit.SECONDS))
        .map(f -> new Login(user, t0, System.currentTimeMillis(), "rec".equals(f.getString("type")), f.encode()))
        .otherwise(err -> new Login(user, t0, System.currentTimeMillis(), false, String.valueOf(err)));
  }

  /** Runs the queued writes one after the other (one lane of the setup); fails with the first that fails. */
  static Future<Void> drain(java.util.Queue<java.util.function.Supplier<Future<Void>>> writes) {
    java.util.function.Supplier<Future<Void>> next = writes.poll();
    return next == null ? Future.succeededFuture() : next.get().compose(v -> drain(writes));
  }

  @Test
  void loginsDuringTheDetectionOfAKilledOwnerCompleteWithinDetectionPlusOneSecond() throws Exception {
    // the setup's 1,600 writes, at most 64 in flight: all at once, a minute after the JVMs started, one of them once
    // waited longer than the 5 s service timeout (CI of b5b4cbc), which failed the test before it measured anything
    java.util.Queue<java.util.function.Supplier<Future<Void>>> writes = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int i = 0; i < USERS; i++) {
      String u = user(i);
      writes.add(() -> cluster.client.auth().set(u, "s-" + u));
      for (int c = 0; c < CHANNELS; c++) {
        String ch = "lf-c" + ((i + c) % 40);
        writes.add(() -> cluster.client.channel().subscribe(u, ch));
      }
    }
    List<Future<Void>> lanes = new ArrayList<>();
    for (int k = 0; k < 64; k++) {
      lanes.add(drain(writes));
    }
    Await.result(Future.all(lanes), 120_000);
    // warm-up: a few logins before the kill, so the JIT and connections are no part of the measurement
    List<Login> warm = new ArrayList<>();
    for (int i = USERS - 10; i < USERS; i++) {
      warm.add(Await.result(login(user(i)), 20_000));
    }
    assertTrue(warm.stream().allMatch(Login::ok), "logins work before the kill: " + warm);

    List<Future<Login>> logins = new CopyOnWriteArrayList<>();
    AtomicLong detected = new AtomicLong(-1);
    long killedAt = System.currentTimeMillis();
    cluster.node(3).kill();
    // detection: the first moment a member dropped node3 from its rings. node1 and this JVM's client member
    // see the same JGroups view change within milliseconds; the client member is polled every 5 ms here,
    // node1's status over HTTP (slower to observe) on a thread of its own
    AtomicLong apiDetected = new AtomicLong(-1);
    Thread watcher = new Thread(() -> {
      while (apiDetected.get() < 0 && System.currentTimeMillis() < killedAt + 30_000) {
        Set<String> seen = ExampleCluster.servers(cluster.api1);
        if (!seen.isEmpty() && !seen.contains("node3")) {
          apiDetected.set(System.currentTimeMillis());
          detected.compareAndSet(-1, apiDetected.get());
          return;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "detection-watcher");
    watcher.start();
    AtomicLong clientDetected = new AtomicLong(-1);
    Thread clientWatcher = new Thread(() -> {
      while (clientDetected.get() < 0 && System.currentTimeMillis() < killedAt + 30_000) {
        if (!cluster.client.serverNodes().contains("node3")) {
          clientDetected.set(System.currentTimeMillis());
          detected.compareAndSet(-1, clientDetected.get());
          return;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "client-detection-watcher");
    clientWatcher.start();
    int next = 0;
    while (next < USERS - 10 && System.currentTimeMillis() < killedAt + 30_000
        && (detected.get() < 0 || System.currentTimeMillis() < detected.get() + 1_500)) {
      logins.add(login(user(next++)));
      Thread.sleep(LOGIN_EVERY_MS);
    }
    watcher.join(30_000);
    clientWatcher.join(30_000);
    long detectedAt = detected.get();
    assertTrue(detectedAt > 0, "node1 dropped node3 within 30 s");
    List<Login> done = new ArrayList<>();
    for (Future<Login> f : logins) {
      done.add(Await.result(f, 30_000));
    }
    long window = detectedAt;
    List<Login> inWindow = done.stream().filter(l -> l.startedAt() <= window).toList();
    List<Login> failed = done.stream().filter(l -> !l.ok()).toList();
    List<Login> late = inWindow.stream().filter(l -> l.endedAt() > window + 1_000).toList();
    long[] ms = done.stream().mapToLong(Login::ms).sorted().toArray();
    long[] windowMs = inWindow.stream().mapToLong(Login::ms).sorted().toArray();
    System.out.printf("[measure] SIGKILL node3 (user+channel shards): dropped %d ms after the kill (the client member's rings %d ms,"
            + " node1's status %d ms); %d logins on node1"
            + " from the kill to detection + 1.5 s, %d started before detection; failed %d; started before detection and"
            + " finished later than detection + 1 s: %d; latency ms all p50 %d p90 %d max %d; started before detection:"
            + " p50 %d max %d%n",
        detectedAt - killedAt, clientDetected.get() - killedAt, apiDetected.get() - killedAt, done.size(), inWindow.size(), failed.size(), late.size(), pct(ms, 50), pct(ms, 90), pct(ms, 100),
        pct(windowMs, 50), pct(windowMs, 100));
    System.out.println("[measure] login latencies ms (start offset from the kill: latency): "
        + done.stream().map(l -> (l.startedAt() - killedAt) + ":" + l.ms() + (l.ok() ? "" : "(failed)")).toList());
    assertTrue(inWindow.size() >= 10, "logins were started during the detection window: " + inWindow.size());
    assertEquals(List.of(), failed.stream().map(l -> l.user() + " " + l.answer()).toList(), "every login succeeds");
    assertEquals(List.of(), late.stream().map(l -> l.user() + " started " + (l.startedAt() - killedAt) + " ms after the kill, took "
        + l.ms() + " ms").toList(), "logins started during the detection window complete within detection + 1 s");
    // the logins started after detection: the new ring routes them, none waits on the dead node
    List<Login> slowAfter = done.stream().filter(l -> l.startedAt() > window && l.ms() >= 2_000).toList();
    assertEquals(List.of(), slowAfter.stream().map(l -> l.user() + " took " + l.ms() + " ms").toList(),
        "logins started after detection never wait anything like the 5 s request timeout");
  }

  static long pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
