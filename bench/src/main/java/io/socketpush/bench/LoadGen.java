package io.socketpush.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator: many raw WebSocket clients on a few event loops speaking the bridge frame protocol
 * to {@code /eventbus/websocket}, and an open-loop publisher calling the management API over HTTP.
 *
 * <p>Socket {@code i} belongs to user {@code u<i>} (session {@code s<i>}) and is subscribed to channel
 * {@code all} and to channel {@code g<i % groups>}. Every published message is
 * {@code {"r":run,"s":seq,"t":intendedSendNanos}}: latency is measured from the intended send time (so a
 * generator that falls behind shows up as latency, not as a lower rate), loss and duplicates per recipient
 * from the per-stream sequence numbers; frames of an earlier run are counted as stale and ignored.
 *
 * <p>The public methods block the calling thread (never call them from an event loop).
 */
public final class LoadGen implements AutoCloseable {
  /** The stream a publish goes to. */
  public enum Stream {
    /** user.publish to one user, round-robin over all users. */
    USER,
    /** channel.publish to the channel every socket is subscribed to (1 channel x N subscribers). */
    ALL,
    /** channel.publish round-robin over the {@code groups} channels (N / groups subscribers each). */
    GROUP
  }

  public static final String ALL_CHANNEL = "all";
  public static final String GROUP_PREFIX = "g";

  private static final byte[] ADDRESS = bytes("\"address\":\"");
  private static final byte[] TYPE_ERR = bytes("\"type\":\"err\"");
  private static final byte[] R = bytes("\"r\":");
  private static final byte[] S = bytes("\"s\":");
  private static final byte[] T = bytes("\"t\":");

  /** Options of the generator. */
  public record Options(String host, int edgePort, int adminPort, int sockets, int groups, int eventLoops,
      int httpPool, int maxInFlight, boolean progress) {
  }

  private static final class Sock {
    final int index;
    final String user;
    final int group;
    volatile WebSocket ws;
    volatile boolean closed;
    volatile Short closeCode;
    final Tally[] tallies = new Tally[Stream.values().length];
    Promise<Void> auth;

    Sock(int index, int groups) {
      this.index = index;
      this.user = "u" + index;
      this.group = index % groups;
    }
  }

  /** Captures one event-loop context per instance. */
  private static final class Loop extends VerticleBase {
    private final List<Context> contexts;

    Loop(List<Context> contexts) {
      this.contexts = contexts;
    }

    @Override
    public Future<?> start() {
      contexts.add(context);
      return Future.succeededFuture();
    }
  }

  private final Options opts;
  private final Vertx vertx;
  private final List<Context> loops = new CopyOnWriteArrayList<>();
  private final Context pub;
  private final HttpClient http;
  private final WebSocketClient wsClient;
  private final Sock[] socks;
  private final Recorder recorder = new Recorder(3);
  private final Histogram runHist = new Histogram(3);
  private final LongAdder frames = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> lastErrorFrame = new AtomicReference<>();
  private volatile int run;
  private volatile long lastReceive;
  /** Connection tokens per socket (token auth instead of sessions); null: session auth. */
  private volatile String[] tokens;
  private volatile LongSupplier serverCpuNanos = () -> -1;
  private volatile String phase = "";
  private volatile String progressExtra = "";
  private long progressTimer = -1;

  public LoadGen(Options opts) {
    this.opts = opts;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(opts.eventLoops() + 1));
    List<Context> pubCtx = new CopyOnWriteArrayList<>();
    await(vertx.deployVerticle(() -> new Loop(pubCtx), new DeploymentOptions().setInstances(1)), 10_000);
    await(vertx.deployVerticle(() -> new Loop(loops), new DeploymentOptions().setInstances(opts.eventLoops())), 10_000);
    this.pub = pubCtx.get(0);
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultHost(opts.host())
        .setDefaultPort(opts.adminPort()), new PoolOptions().setHttp1MaxSize(opts.httpPool()));
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(opts.sockets() + 16).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    this.socks = new Sock[opts.sockets()];
    for (int i = 0; i < socks.length; i++) {
      socks[i] = new Sock(i, opts.groups());
    }
  }

  /** Where the server's CPU time comes from (for the progress line and results); -1 if unknown. */
  public void serverCpu(LongSupplier nanos) {
    this.serverCpuNanos = nanos;
  }

  public int sockets() {
    return socks.length;
  }

  // ---------------------------------------------------------------- setup

  /** Registers every user's session and subscribes it to {@code all} and its group channel. */
  public JsonObject setup(int concurrency) {
    List<String[]> calls = new ArrayList<>();
    for (Sock s : socks) {
      calls.add(new String[] {"/api/auth/set", new JsonObject().put("userId", s.user).put("sessionId", "s" + s.index).encode()});
      calls.add(new String[] {"/api/channel/subscribe", new JsonObject().put("userId", s.user).put("channelId", ALL_CHANNEL).encode()});
      calls.add(new String[] {"/api/channel/subscribe", new JsonObject().put("userId", s.user)
          .put("channelId", GROUP_PREFIX + s.group).encode()});
    }
    long t0 = System.nanoTime();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicInteger next = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger active = new AtomicInteger();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      while (active.get() < concurrency && next.get() < calls.size()) {
        String[] c = calls.get(next.getAndIncrement());
        active.incrementAndGet();
        post(c[0], c[1]).onComplete(ar -> {
          if (ar.failed() || ar.result().status != 200) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, ar.failed() ? ar.cause().toString() : ar.result().toString());
          }
          active.decrementAndGet();
          if (next.get() >= calls.size() && active.get() == 0) {
            done.complete(null);
          } else {
            launch[0].run();
          }
        });
      }
    };
    pub.runOnContext(v -> launch[0].run());
    join(done, 600_000);
    double secs = (System.nanoTime() - t0) / 1e9;
    return new JsonObject().put("calls", calls.size()).put("failed", failed.get()).put("seconds", round(secs))
        .put("callsPerSec", round(calls.size() / secs)).put("firstError", firstError.get());
  }

  // ---------------------------------------------------------------- connect

  /**
   * Authenticate with HS256 connection tokens (sub = the socket's user, exp in an hour) instead of sessions; the
   * tokens are minted here, before any timed connect.
   */
  public void useTokens(String secret) {
    io.vertx.ext.auth.jwt.JWTAuth jwt = io.vertx.ext.auth.jwt.JWTAuth.create(vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
        .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    String[] t = new String[socks.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = jwt.generateToken(new JsonObject().put("sub", socks[i].user),
          new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(3600));
    }
    tokens = t;
  }

  /** Opens and authenticates every socket, at most {@code concurrency} handshakes at a time. */
  public JsonObject connect(int concurrency, long timeoutMs) {
    return connect(0, socks.length, concurrency, timeoutMs);
  }

  /** Opens and authenticates sockets {@code [from, to)}, at most {@code concurrency} handshakes at a time. */
  public JsonObject connect(int from, int to, int concurrency, long timeoutMs) {
    int count = to - from;
    Histogram connectHist = new Histogram(3);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicInteger next = new AtomicInteger(from);
    AtomicInteger active = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    long t0 = System.nanoTime();
    long cpu0 = ownCpuNanos();
    long scpu0 = serverCpuNanos.getAsLong();
    progress("connect", () -> ok.get() + " ok, " + failed.get() + " failed of " + count);
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      while (active.get() < concurrency && next.get() < to) {
        Sock s = socks[next.getAndIncrement()];
        active.incrementAndGet();
        loops.get(s.index % loops.size()).runOnContext(v -> {
          long start = System.nanoTime();
          connectOne(s, timeoutMs).onComplete(ar -> {
            if (ar.succeeded()) {
              synchronized (connectHist) {
                connectHist.recordValue(Math.max(0, (System.nanoTime() - start) / 1000));
              }
              ok.incrementAndGet();
            } else {
              failed.incrementAndGet();
              firstError.compareAndSet(null, ar.cause().toString());
            }
            pub.runOnContext(x -> {
              active.decrementAndGet();
              if (next.get() >= to && active.get() == 0) {
                done.complete(null);
              } else {
                launch[0].run();
              }
            });
          });
        });
      }
    };
    pub.runOnContext(v -> launch[0].run());
    if (count <= 0) {
      done.complete(null);
    }
    join(done, timeoutMs + count * 50L + 60_000);
    double secs = (System.nanoTime() - t0) / 1e9;
    stopProgress();
    synchronized (connectHist) {
      return new JsonObject().put("sockets", count).put("connected", ok.get()).put("failed", failed.get())
          .put("seconds", round(secs)).put("connectsPerSec", round(ok.get() / secs))
          .put("connectP50Ms", ms(connectHist.getValueAtPercentile(50))).put("connectP99Ms", ms(connectHist.getValueAtPercentile(99)))
          .put("connectMaxMs", ms(connectHist.getMaxValue()))
          .put("genCpu", cores(ownCpuNanos() - cpu0, secs)).put("serverCpu", cores(serverCpuNanos.getAsLong() - scpu0, secs))
          .put("serverCpuUsPerConnect", perDelivery(serverCpuNanos.getAsLong() - scpu0, ok.get()))
          .put("firstError", firstError.get());
    }
  }

  /** Sockets still open. */
  public int open() {
    int n = 0;
    for (Sock s : socks) {
      n += s.ws != null && !s.closed ? 1 : 0;
    }
    return n;
  }

  /** Closes sockets {@code [from, to)} and waits until all are closed (the connect warm-up's churn). */
  public void closeRange(int from, int to) {
    List<Future<Void>> closing = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    pub.runOnContext(v -> {
      for (int i = from; i < to; i++) {
        Sock s = socks[i];
        if (s.ws != null && !s.closed) {
          Promise<Void> p = Promise.promise();
          loops.get(i % loops.size()).runOnContext(x -> s.ws.close().onComplete(ar -> p.complete()));
          closing.add(p.future());
        }
      }
      Future.join(closing).onComplete(ar -> done.complete(null));
    });
    join(done, 60_000);
    long deadline = System.currentTimeMillis() + 10_000;
    for (int i = from; i < to && System.currentTimeMillis() < deadline; i++) {
      while (socks[i].ws != null && !socks[i].closed && System.currentTimeMillis() < deadline) {
        sleep(20);
      }
    }
  }

  /** Closes socket {@code i} and waits until it is closed (tests use it to cause loss). */
  void closeSocket(int i) {
    Sock s = socks[i];
    CompletableFuture<Void> done = new CompletableFuture<>();
    loops.get(i % loops.size()).runOnContext(v -> s.ws.close().onComplete(ar -> done.complete(null)));
    join(done, 10_000);
    long deadline = System.currentTimeMillis() + 5_000;
    while (!s.closed && System.currentTimeMillis() < deadline) {
      sleep(20);
    }
  }

  private Future<Void> connectOne(Sock s, long timeoutMs) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(opts.host()).setPort(opts.edgePort())
        .setURI("/eventbus/websocket").setTimeout(timeoutMs);
    return wsClient.connect(o).compose(ws -> {
      s.ws = ws;
      s.closed = false; // a socket of the connect warm-up's churn opens again
      s.auth = Promise.promise();
      ws.handler(b -> onData(s, b));
      ws.closeHandler(v -> {
        s.closed = true;
        s.closeCode = ws.closeStatusCode();
        if (s.auth != null) {
          s.auth.tryFail("closed before auth reply: " + ws.closeStatusCode() + " " + ws.closeReason());
        }
      });
      ws.exceptionHandler(err -> s.auth.tryFail(err));
      long timer = vertx.setTimer(timeoutMs, t -> s.auth.tryFail("no auth reply within " + timeoutMs + " ms"));
      String[] t = tokens;
      ws.writeTextMessage("{\"type\":\"send\",\"address\":\"socketpush.auth\",\"replyAddress\":\"a" + s.index + "\",\"body\":"
          + (t != null ? "{\"token\":\"" + t[s.index] + "\"}" : "{\"userId\":\"" + s.user + "\",\"sessionId\":\"s" + s.index + "\"}") + "}");
      return s.auth.future().onComplete(ar -> vertx.cancelTimer(timer));
    });
  }

  // ---------------------------------------------------------------- receive (socket event loops)

  private void onData(Sock s, Buffer b) {
    int a = indexOf(b, ADDRESS, 0);
    boolean err = indexOf(b, TYPE_ERR, 0) >= 0;
    if (a < 0 || err) {
      if (a >= 0 && b.getByte(a + ADDRESS.length) == 'a' && s.auth != null) {
        s.auth.tryFail("auth refused: " + b);
      }
      errors.increment();
      lastErrorFrame.set(b.toString());
      return;
    }
    int p = a + ADDRESS.length;
    byte c = b.getByte(p);
    if (c == 'a') { // auth reply "a<index>"
      if (s.auth != null) {
        s.auth.tryComplete();
      }
      return;
    }
    Stream kind;
    if (c == 'u') {
      kind = Stream.USER;
    } else if (c == 'c' && p + 8 < b.length()) { // "channel." + id
      kind = b.getByte(p + 8) == 'a' ? Stream.ALL : Stream.GROUP;
    } else {
      errors.increment();
      lastErrorFrame.set(b.toString());
      return;
    }
    int rp = indexOf(b, R, p);
    int sp = rp < 0 ? -1 : indexOf(b, S, rp);
    int tp = sp < 0 ? -1 : indexOf(b, T, sp);
    if (tp < 0) {
      errors.increment();
      lastErrorFrame.set(b.toString());
      return;
    }
    long r = number(b, rp + R.length);
    if (r != run) {
      stale.increment();
      return;
    }
    long now = System.nanoTime();
    recorder.recordValue(Math.max(0, (now - number(b, tp + T.length)) / 1000));
    Tally t = s.tallies[kind.ordinal()];
    if (t != null) {
      t.record((int) number(b, sp + S.length));
    }
    frames.increment();
    lastReceive = now;
  }

  // ---------------------------------------------------------------- publish at a fixed offered rate

  /**
   * Publishes to {@code stream} at {@code rate} publishes/s for {@code seconds}, open loop, then waits up to
   * {@code drainMs} for the deliveries, and reports offered/delivered rates, latency, loss and duplicates.
   */
  public JsonObject runRate(String name, Stream stream, double rate, double seconds, long drainMs) {
    int keys = switch (stream) {
      case USER -> socks.length;
      case ALL -> 1;
      case GROUP -> opts.groups();
    };
    int[] recipients = new int[keys];
    for (Sock s : socks) {
      recipients[keyOf(stream, s)]++;
    }
    // fresh tallies for this run; frames of older runs are stale by their run number
    int r = ++run;
    for (Sock s : socks) {
      s.tallies[stream.ordinal()] = new Tally();
    }
    synchronized (runHist) {
      recorder.getIntervalHistogram();
      runHist.reset();
    }
    frames.reset();
    stale.reset();
    long total = Math.max(1, Math.round(rate * seconds));
    int[] seq = new int[keys];
    BitSet[] accepted = new BitSet[keys];
    for (int k = 0; k < keys; k++) {
      accepted[k] = new BitSet();
    }
    long[] counters = new long[5]; // sent, inflight, ok, failed, reached (pub context only)
    AtomicReference<String> firstError = new AtomicReference<>();
    CompletableFuture<Long> sendDone = new CompletableFuture<>();
    long cpu0 = ownCpuNanos();
    long scpu0 = serverCpuNanos.getAsLong();
    long start = System.nanoTime();
    long hardStop = start + (long) (seconds * 2e9) + 10_000_000_000L;
    double nanosPerMsg = 1e9 / rate;
    String path = stream == Stream.USER ? "/api/user/publish" : "/api/channel/publish";
    long[] lastFrames = {0};
    progress(name + " @" + fmt(rate) + "/s", () -> {
      long f = frames.sum();
      long d = f - lastFrames[0];
      lastFrames[0] = f;
      return "sent " + counters[0] + "/" + total + " ok " + counters[2] + " failed " + counters[3] + " inflight "
          + counters[1] + " frames " + f + " (" + d + "/s)";
    });
    pub.runOnContext(v -> {
      long[] timer = new long[1];
      timer[0] = vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        if (now > hardStop) {
          vertx.cancelTimer(id);
          sendDone.complete(now);
          return;
        }
        long due = Math.min(total, (long) ((now - start) / nanosPerMsg) + 1);
        while (counters[0] < due && counters[1] < opts.maxInFlight()) {
          long i = counters[0]++;
          int k = (int) (i % keys);
          int sq = seq[k]++;
          long intended = start + (long) (i * nanosPerMsg);
          String msg = "{\"r\":" + r + ",\"s\":" + sq + ",\"t\":" + intended + "}";
          String body = stream == Stream.USER
              ? "{\"userId\":\"u" + k + "\",\"message\":" + msg + "}"
              : "{\"channelId\":\"" + channelOf(stream, k) + "\",\"message\":" + msg + "}";
          counters[1]++;
          post(path, body).onComplete(ar -> {
            counters[1]--;
            if (ar.succeeded() && ar.result().status == 200) {
              counters[2]++;
              accepted[k].set(sq);
              Object res = ar.result().json().getValue("result");
              // socket-push answers {"sockets": n, "epoch", "offset"}; the baseline a bare number
              Object n = res instanceof JsonObject o ? o.getValue("sockets") : res;
              counters[4] += n instanceof Number num ? num.longValue() : 0;
            } else {
              counters[3]++;
              firstError.compareAndSet(null, ar.failed() ? ar.cause().toString() : ar.result().toString());
            }
            if (counters[0] >= total && counters[1] == 0) {
              vertx.cancelTimer(timer[0]);
              sendDone.complete(System.nanoTime());
            }
          });
        }
      });
    });
    long sendEnd = join(sendDone, (long) (seconds * 2000) + 30_000);
    // expected deliveries: accepted publishes x recipients of their key
    long[] expected = new long[1];
    CompletableFuture<Void> snap = new CompletableFuture<>();
    pub.runOnContext(v -> {
      for (int k = 0; k < keys; k++) {
        expected[0] += (long) accepted[k].cardinality() * recipients[k];
      }
      snap.complete(null);
    });
    join(snap, 10_000);
    long drainStart = System.nanoTime();
    long lastCount = -1;
    long lastChange = drainStart;
    while (frames.sum() < expected[0] && System.nanoTime() - drainStart < drainMs * 1_000_000L) {
      long c = frames.sum();
      if (c != lastCount) {
        lastCount = c;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > 1_500_000_000L) {
        break; // nothing arrived for 1.5 s: the rest is lost
      }
      sleep(50);
    }
    stopProgress();
    long end = Math.max(sendEnd, lastReceive);
    double window = Math.max(1e-3, (end - start) / 1e9);
    double sendSecs = Math.max(1e-3, (sendEnd - start) / 1e9);
    long lost = 0;
    long dups = 0;
    long unique = 0;
    long unexpected = 0;
    long received = 0;
    int lossyRecipients = 0;
    for (Sock s : socks) {
      Tally t = s.tallies[stream.ordinal()];
      int k = keyOf(stream, s);
      int l = t.lost(accepted[k]);
      lost += l;
      lossyRecipients += l > 0 ? 1 : 0;
      dups += t.duplicates();
      unique += t.unique();
      unexpected += t.unexpected(accepted[k]);
      received += t.received();
    }
    Histogram h;
    synchronized (runHist) {
      runHist.add(recorder.getIntervalHistogram());
      h = runHist.copy();
    }
    long sent = counters[0];
    return new JsonObject().put("scenario", name).put("stream", stream.name().toLowerCase())
        .put("offeredRate", rate).put("seconds", seconds).put("sendSeconds", round(sendSecs))
        .put("publishes", total).put("sent", sent).put("unsent", total - sent).put("accepted", counters[2])
        .put("failed", counters[3]).put("reachedReported", counters[4]).put("expected", expected[0])
        .put("received", received).put("unique", unique).put("lost", lost).put("lossyRecipients", lossyRecipients)
        .put("duplicates", dups).put("unexpected", unexpected).put("stale", stale.sum()).put("errorFrames", errors.sum())
        .put("publishedPerSec", round(counters[2] / sendSecs)).put("deliveredPerSec", round(unique / window))
        .put("p50Ms", ms(h.getValueAtPercentile(50))).put("p99Ms", ms(h.getValueAtPercentile(99)))
        .put("p999Ms", ms(h.getValueAtPercentile(99.9))).put("maxMs", ms(h.getMaxValue()))
        .put("genCpu", cores(ownCpuNanos() - cpu0, window)).put("serverCpu", cores(serverCpuNanos.getAsLong() - scpu0, window))
        .put("genCpuUsPerDelivery", perDelivery(ownCpuNanos() - cpu0, unique))
        .put("serverCpuUsPerDelivery", perDelivery(serverCpuNanos.getAsLong() - scpu0, unique))
        .put("firstError", firstError.get());
  }

  /** CPU microseconds per delivered message: the cost, robust to how much of a core the process got. */
  static Double perDelivery(long cpuNanos, long deliveries) {
    return cpuNanos < 0 || deliveries == 0 ? null : round(cpuNanos / 1000.0 / deliveries);
  }

  /** Whether a run delivered everything it accepted with p99 under {@code p99LimitMs}. */
  public static boolean sustained(JsonObject run, double p99LimitMs) {
    return run.getLong("lost") == 0 && run.getLong("failed") == 0 && run.getLong("unsent") == 0
        && run.getLong("accepted") > 0 && run.getDouble("p99Ms") < p99LimitMs;
  }

  private static int keyOf(Stream stream, Sock s) {
    return switch (stream) {
      case USER -> s.index;
      case ALL -> 0;
      case GROUP -> s.group;
    };
  }

  private static String channelOf(Stream stream, int k) {
    return stream == Stream.ALL ? ALL_CHANNEL : GROUP_PREFIX + k;
  }

  // ---------------------------------------------------------------- resume of missed messages

  /** A socket of the resume scenario: its own user, its stream position, what it got after resuming. */
  private static final class RSock {
    final int index;
    final String user;
    volatile WebSocket ws;
    volatile boolean closed;
    volatile Promise<Void> auth;
    volatile Boolean recovered;
    volatile String epoch;
    volatile long offset = -1;
    volatile boolean resuming;
    volatile boolean publishFailed;
    volatile long authSent;
    volatile long authReply;
    volatile long lastAt;
    final List<ResumeCheck.Frame> frames = new ArrayList<>();
    final CompletableFuture<Void> primed = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    int missed;

    RSock(int index, String user) {
      this.index = index;
      this.user = user;
    }
  }

  private int resumeRuns;
  /** Server CPU (cores) under which the servers count as settled before the resumes are timed. */
  private static final double SETTLED_CPU = 0.3;
  /** The resume scenario's own client: the other sockets use every connection {@link #wsClient} allows. */
  private WebSocketClient resumeClient;

  /**
   * The resume scenario: {@code n} sockets of users of their own connect and each gets one message of its
   * user stream (its position), then all disconnect; {@code missed} messages per user are published (one after
   * the other per user, so message k has offset position + k); then the sockets reconnect, {@code concurrency}
   * at a time, each with {@code "positions": {"user.<id>": "<epoch>:<offset>"}} in its auth frame. Per socket:
   * the time from writing the auth frame to the last replayed message, and whether it got exactly the missed
   * messages in order ({@link ResumeCheck}). Needs edge.removeUserAfterDisconnectTimeout longer than the publishing.
   */
  public JsonObject resume(int n, int missed, int concurrency, long timeoutMs) {
    int k = ++resumeRuns;
    if (resumeClient != null) {
      await(resumeClient.close(), 10_000);
    }
    resumeClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(n + 16)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    RSock[] rs = new RSock[n];
    for (int i = 0; i < n; i++) {
      rs[i] = new RSock(i, "r" + k + "x" + i);
      rs[i].missed = missed;
    }
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicInteger progressCount = new AtomicInteger();
    String[] stage = {"setup"};
    progress("resume", () -> stage[0] + " " + progressCount.get() + "/" + n);
    long t0 = System.nanoTime();
    // 1. sessions, connect without positions, one message each: the position to resume from
    int setupFailed = limited(n, 64, i -> post("/api/auth/set", new JsonObject().put("userId", rs[i].user)
        .put("sessionId", "s" + rs[i].user).encode()).compose(r -> r.status == 200 ? Future.succeededFuture() : Future.failedFuture(r.toString()))
        .onComplete(ar -> progressCount.incrementAndGet()), timeoutMs, firstError);
    stage[0] = "connect";
    progressCount.set(0);
    int connectFailed = limited(n, 64, i -> connectResume(rs[i], null, timeoutMs).onComplete(ar -> progressCount.incrementAndGet()),
        timeoutMs, firstError);
    stage[0] = "prime";
    progressCount.set(0);
    int primeFailed = limited(n, 64, i -> publishResume(rs[i], 0).onComplete(ar -> progressCount.incrementAndGet()), timeoutMs, firstError);
    for (RSock r : rs) {
      try {
        r.primed.get(Math.max(1, timeoutMs - (System.nanoTime() - t0) / 1_000_000), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // counted below: no position
      }
    }
    // 2. away: every socket closed, then the missed messages, one after the other per user
    stage[0] = "disconnect";
    progressCount.set(0);
    limited(n, 64, i -> closeResume(rs[i]).onComplete(ar -> progressCount.incrementAndGet()), timeoutMs, firstError);
    sleep(1_000);
    stage[0] = "publish " + missed + " per user";
    progressCount.set(0);
    long p0 = System.nanoTime();
    AtomicInteger publishFailed = new AtomicInteger();
    limited(n, Math.min(n, opts.maxInFlight()), i -> publishChain(rs[i], 1, missed, progressCount, publishFailed), timeoutMs + missed * 1_000L,
        firstError);
    double publishSecs = (System.nanoTime() - p0) / 1e9;
    // the servers finish what the publishing left (history trimming, replication) before the resume is timed:
    // a first run showed a core busy for seconds after the last publish, which the resumes then queued behind
    stage[0] = "settle";
    long s0 = System.nanoTime();
    double settledCpu = -1;
    while (System.nanoTime() - s0 < 30_000_000_000L) {
      long c0 = serverCpuNanos.getAsLong();
      long w0 = System.nanoTime();
      sleep(1_000);
      long c1 = serverCpuNanos.getAsLong();
      settledCpu = c0 < 0 || c1 < 0 ? -1 : round((c1 - c0) / ((System.nanoTime() - w0) / 1e9) / 1e9);
      if (settledCpu < SETTLED_CPU) {
        break;
      }
    }
    double settleSecs = (System.nanoTime() - s0) / 1e9;
    // 3. resume: reconnect with the positions, measure the auth frame -> last replayed message
    stage[0] = "resume";
    progressCount.set(0);
    long cpu0 = ownCpuNanos();
    long scpu0 = serverCpuNanos.getAsLong();
    long r0 = System.nanoTime();
    limited(n, concurrency, i -> {
      RSock r = rs[i];
      if (r.offset < 0 || r.publishFailed) {
        return Future.succeededFuture();
      }
      r.resuming = true;
      Promise<Void> finished = Promise.promise();
      JsonObject positions = new JsonObject().put("user." + r.user, r.epoch + ":" + r.offset);
      connectResume(r, positions, timeoutMs).onComplete(ar -> {
        if (ar.failed()) {
          finished.tryComplete();
          return;
        }
        long timer = vertx.setTimer(timeoutMs, t -> finished.tryComplete());
        r.done.whenComplete((v, err) -> {
          vertx.cancelTimer(timer);
          finished.tryComplete();
        });
      });
      return finished.future().onComplete(ar -> progressCount.incrementAndGet());
    }, timeoutMs * 2 + 10_000, firstError);
    double resumeSecs = (System.nanoTime() - r0) / 1e9;
    long scpu = serverCpuNanos.getAsLong() - scpu0;
    long gcpu = ownCpuNanos() - cpu0;
    sleep(1_000); // a duplicate or a late extra frame would arrive now
    stopProgress();
    Histogram last = new Histogram(3);
    Histogram authH = new Histogram(3);
    java.util.EnumMap<ResumeCheck.Outcome, Integer> outcomes = new java.util.EnumMap<>(ResumeCheck.Outcome.class);
    for (ResumeCheck.Outcome o : ResumeCheck.Outcome.values()) {
      outcomes.put(o, 0);
    }
    int noPosition = 0;
    int pubFailedSockets = 0;
    long replayed = 0;
    for (RSock r : rs) {
      if (r.offset < 0) {
        noPosition++;
        continue;
      }
      if (r.publishFailed) {
        pubFailedSockets++;
        continue;
      }
      List<ResumeCheck.Frame> got;
      synchronized (r) {
        got = new ArrayList<>(r.frames);
      }
      replayed += got.size();
      ResumeCheck.Outcome o = ResumeCheck.check(r.recovered, r.offset, r.epoch, got, missed, !r.done.isDone() && !r.closed);
      outcomes.merge(o, 1, Integer::sum);
      if (r.authReply > 0) {
        authH.recordValue(Math.max(0, (r.authReply - r.authSent) / 1000));
      }
      if (o == ResumeCheck.Outcome.OK) {
        last.recordValue(Math.max(0, (r.lastAt - r.authSent) / 1000));
      }
    }
    stage[0] = "close";
    limited(n, 64, i -> closeResume(rs[i]), timeoutMs, firstError);
    int complete = outcomes.get(ResumeCheck.Outcome.OK);
    JsonObject failures = new JsonObject().put("noPosition", noPosition).put("publishFailed", pubFailedSockets);
    outcomes.forEach((o, c) -> {
      if (o != ResumeCheck.Outcome.OK) {
        failures.put(switch (o) {
          case NOT_RECOVERED -> "notRecovered";
          case MISSING -> "missing";
          case EXTRA -> "extra";
          case OUT_OF_ORDER -> "outOfOrder";
          case TIMED_OUT -> "timedOut";
          default -> o.name();
        }, c);
      }
    });
    return new JsonObject().put("scenario", "resume").put("sockets", n).put("missed", missed).put("concurrency", concurrency)
        .put("setupFailed", setupFailed).put("connectFailed", connectFailed).put("primeFailed", primeFailed)
        .put("publishFailed", publishFailed.get()).put("publishSeconds", round(publishSecs))
        .put("publishesPerSec", round(n * (double) missed / publishSecs)).put("settleSeconds", round(settleSecs))
        .put("serverCpuBeforeResume", settledCpu)
        .put("complete", complete).put("failed", n - complete).put("failures", failures).put("replayed", replayed)
        .put("resumeSeconds", round(resumeSecs))
        .put("p50Ms", ms(last.getValueAtPercentile(50))).put("p99Ms", ms(last.getValueAtPercentile(99)))
        .put("maxMs", ms(last.getMaxValue())).put("authP50Ms", ms(authH.getValueAtPercentile(50)))
        .put("authP99Ms", ms(authH.getValueAtPercentile(99)))
        .put("genCpu", cores(gcpu, resumeSecs)).put("serverCpu", cores(scpu, resumeSecs))
        .put("serverCpuUsPerMessage", perDelivery(scpu, replayed)).put("firstError", firstError.get());
  }

  /**
   * Runs {@code task(0..count-1)}, at most {@code concurrency} at a time, each on socket event loop
   * {@code i % loops}; waits for all; returns how many failed.
   */
  private int limited(int count, int concurrency, java.util.function.IntFunction<Future<?>> task, long timeoutMs,
      AtomicReference<String> firstError) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger active = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      while (active.get() < concurrency && next.get() < count) {
        int i = next.getAndIncrement();
        active.incrementAndGet();
        loops.get(i % loops.size()).runOnContext(v -> {
          Future<?> f;
          try {
            f = task.apply(i);
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(ar -> {
            if (ar.failed()) {
              failed.incrementAndGet();
              firstError.compareAndSet(null, String.valueOf(ar.cause()));
            }
            pub.runOnContext(x -> {
              active.decrementAndGet();
              if (next.get() >= count && active.get() == 0) {
                done.complete(null);
              } else {
                launch[0].run();
              }
            });
          });
        });
      }
    };
    if (count <= 0) {
      return 0;
    }
    pub.runOnContext(v -> launch[0].run());
    join(done, timeoutMs + count * 100L + 60_000);
    return failed.get();
  }

  private Future<Void> publishResume(RSock r, int seq) {
    return post("/api/user/publish", new JsonObject().put("userId", r.user).put("message", new JsonObject().put("rs", seq)).encode())
        .compose(resp -> resp.status == 200 ? Future.<Void>succeededFuture() : Future.failedFuture(r.user + ": " + resp));
  }

  private Future<Void> publishChain(RSock r, int seq, int last, AtomicInteger progressCount, AtomicInteger failed) {
    if (seq > last) {
      return Future.succeededFuture();
    }
    return publishResume(r, seq).transform(ar -> {
      progressCount.incrementAndGet();
      if (ar.failed()) {
        failed.incrementAndGet();
        r.publishFailed = true;
        return Future.failedFuture(ar.cause());
      }
      return publishChain(r, seq + 1, last, progressCount, failed);
    });
  }

  private Future<Void> connectResume(RSock r, JsonObject positions, long timeoutMs) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(opts.host()).setPort(opts.edgePort())
        .setURI("/eventbus/websocket").setTimeout(timeoutMs);
    return resumeClient.connect(o).compose(ws -> {
      r.ws = ws;
      r.closed = false;
      Promise<Void> auth = Promise.promise();
      r.auth = auth;
      ws.handler(b -> onResumeData(r, b));
      ws.closeHandler(v -> {
        r.closed = true;
        auth.tryFail("closed before auth reply: " + ws.closeStatusCode() + " " + ws.closeReason());
      });
      ws.exceptionHandler(auth::tryFail);
      long timer = vertx.setTimer(timeoutMs, t -> auth.tryFail("no auth reply within " + timeoutMs + " ms"));
      JsonObject body = new JsonObject().put("userId", r.user).put("sessionId", "s" + r.user);
      if (positions != null) {
        body.put("positions", positions);
      }
      String frame = new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", "ra" + r.index)
          .put("body", body).encode();
      r.authSent = System.nanoTime();
      ws.writeTextMessage(frame);
      return auth.future().onComplete(ar -> vertx.cancelTimer(timer));
    });
  }

  private Future<Void> closeResume(RSock r) {
    WebSocket ws = r.ws;
    if (ws == null || r.closed) {
      return Future.succeededFuture();
    }
    Promise<Void> closed = Promise.promise();
    ws.closeHandler(v -> {
      r.closed = true;
      closed.tryComplete();
    });
    ws.close().onFailure(closed::tryFail);
    long timer = vertx.setTimer(5_000, t -> closed.tryComplete());
    return closed.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void onResumeData(RSock r, Buffer b) {
    long now = System.nanoTime();
    JsonObject f;
    try {
      f = b.toJsonObject();
    } catch (RuntimeException e) {
      errors.increment();
      lastErrorFrame.set(b.toString());
      return;
    }
    String addr = f.getString("address");
    if ("err".equals(f.getString("type"))) {
      errors.increment();
      lastErrorFrame.set(b.toString());
      if (r.auth != null) {
        r.auth.tryFail("auth refused: " + b);
      }
      return;
    }
    if (("ra" + r.index).equals(addr)) {
      JsonObject rec = f.getJsonObject("body", new JsonObject()).getJsonObject("recovered");
      r.recovered = rec == null ? null : rec.getBoolean("user." + r.user);
      r.authReply = now;
      r.auth.tryComplete();
      return;
    }
    if (!("user." + r.user).equals(addr) || !(f.getValue("headers") instanceof JsonObject h)
        || !(f.getValue("body") instanceof JsonObject body)) {
      errors.increment();
      lastErrorFrame.set(b.toString());
      return;
    }
    long offset = Long.parseLong(h.getString("offset", "-1"));
    String epoch = h.getString("epoch");
    long seq = body.getLong("rs", -1L);
    if (!r.resuming) {
      if (seq == 0 && r.offset < 0) {
        r.epoch = epoch;
        r.offset = offset;
        r.primed.complete(null);
      }
      return;
    }
    int size;
    synchronized (r) {
      r.frames.add(new ResumeCheck.Frame(offset, epoch, seq));
      size = r.frames.size();
    }
    if (size == r.missed) {
      r.lastAt = now;
      r.done.complete(null);
    }
  }

  // ---------------------------------------------------------------- HTTP

  private record Resp(int status, Buffer body) {
    JsonObject json() {
      try {
        return body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (RuntimeException e) {
        return new JsonObject();
      }
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + body;
    }
  }

  private Future<Resp> post(String path, String body) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI(path).setIdleTimeout(10_000)
        .putHeader("content-type", "application/json");
    // the body's consumer is attached before the request goes out: Vert.x 5.0.7 drops the end of a response
    // whose body() is asked for after it ended, and the call would hang (see testing/Http in the tests)
    return http.request(o).compose(req -> {
      Future<Resp> answer = req.response().compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), b)));
      req.end(body);
      return answer;
    });
  }

  // ---------------------------------------------------------------- progress

  private void progress(String phase, java.util.function.Supplier<String> line) {
    this.phase = phase;
    if (!opts.progress()) {
      return;
    }
    long t0 = System.nanoTime();
    long[] cpu = {ownCpuNanos(), serverCpuNanos.getAsLong(), t0};
    CompletableFuture<Void> started = new CompletableFuture<>();
    pub.runOnContext(v -> {
      progressTimer = vertx.setPeriodic(1000, id -> {
        long now = System.nanoTime();
        long c = ownCpuNanos();
        long sc = serverCpuNanos.getAsLong();
        double dt = (now - cpu[2]) / 1e9;
        Histogram interval;
        synchronized (runHist) {
          interval = recorder.getIntervalHistogram();
          runHist.add(interval);
        }
        String p99 = interval.getTotalCount() == 0 ? "-" : fmt(ms(interval.getValueAtPercentile(99))) + "ms";
        progressExtra = String.format("\r[%s] %3ds %s p99 %s gen %3.0f%% srv %s   ", this.phase,
            Math.round((now - t0) / 1e9), line.get(), p99, 100 * (c - cpu[0]) / 1e9 / dt,
            sc < 0 ? "?" : String.format("%3.0f%%", 100 * (sc - cpu[1]) / 1e9 / dt));
        cpu[0] = c;
        cpu[1] = sc;
        cpu[2] = now;
        System.err.print(progressExtra);
        System.err.flush();
      });
      started.complete(null);
    });
    join(started, 10_000);
  }

  private void stopProgress() {
    if (!opts.progress()) {
      return;
    }
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    pub.runOnContext(v -> {
      vertx.cancelTimer(progressTimer);
      stopped.complete(null);
    });
    join(stopped, 10_000);
    System.err.println();
  }

  // ---------------------------------------------------------------- helpers

  /** CPU time this JVM has used, in nanoseconds. */
  public static long ownCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  static double cores(long cpuNanos, double seconds) {
    return cpuNanos < 0 ? -1 : round(cpuNanos / 1e9 / seconds);
  }

  static double ms(long micros) {
    return round(micros / 1000.0);
  }

  static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.format("%.1f", d);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static int indexOf(Buffer b, byte[] pat, int from) {
    int n = b.length() - pat.length;
    outer:
    for (int i = Math.max(0, from); i <= n; i++) {
      for (int j = 0; j < pat.length; j++) {
        if (b.getByte(i + j) != pat[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static long number(Buffer b, int p) {
    long v = 0;
    boolean neg = false;
    int n = b.length();
    if (p < n && b.getByte(p) == '-') {
      neg = true;
      p++;
    }
    for (; p < n; p++) {
      byte c = b.getByte(p);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return neg ? -v : v;
  }

  static <T> T await(Future<T> f, long timeoutMs) {
    return join(f.toCompletionStage().toCompletableFuture(), timeoutMs);
  }

  static <T> T join(CompletableFuture<T> f, long timeoutMs) {
    try {
      return f.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      await(vertx.close(), 30_000);
    } catch (RuntimeException e) {
      System.err.println("closing the load generator: " + e.getMessage());
    }
  }
}
