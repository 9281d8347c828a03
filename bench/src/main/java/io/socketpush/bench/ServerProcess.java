package io.socketpush.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test: a child JVM the benchmark started (optionally pinned with {@code taskset}), or a
 * process it attached to by pid. Reads RSS and CPU time from {@code /proc}, used heap after a full GC with
 * {@code jcmd}/{@code jstat}, and drives JFR with {@code jcmd}.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process; // null when attached
  private final long pid;
  private final Path log;

  private ServerProcess(Process process, long pid, Path log) {
    this.process = process;
    this.pid = pid;
    this.log = log;
  }

  /** Starts {@code command}, output to {@code log}; waits until {@code port} accepts connections. */
  static ServerProcess start(List<String> command, Path log, int port, long timeoutMs) throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess sp = new ServerProcess(p, p.pid(), log);
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("server exited with " + p.exitValue() + "; see " + log);
      }
      if (accepts(port)) {
        return sp;
      }
      LoadGen.sleep(200);
    }
    sp.close();
    throw new IOException("server did not open port " + port + " within " + timeoutMs + " ms; see " + log);
  }

  static ServerProcess attach(long pid) {
    return new ServerProcess(null, pid, null);
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  long pid() {
    return pid;
  }

  /** Resident set size in KiB, -1 if unknown. */
  long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux or gone
    }
    return -1;
  }

  /** User + system CPU time in nanoseconds (from /proc/pid/stat, 100 ticks/s), -1 if unknown. */
  long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after the command: state(3) ... utime(14) stime(15) -> indexes 11, 12 here
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Heap in use after a full GC, in KiB (jcmd GC.run, then jstat -gc), -1 if unknown. */
  long heapAfterGcKb() {
    if (run(List.of("jcmd", String.valueOf(pid), "GC.run")) == null) {
      return -1;
    }
    String out = run(List.of("jstat", "-gc", String.valueOf(pid)));
    if (out == null) {
      return -1;
    }
    String[] lines = out.trim().split("\n");
    if (lines.length < 2) {
      return -1;
    }
    String[] head = lines[0].trim().split("\\s+");
    String[] vals = lines[1].trim().split("\\s+");
    double used = 0;
    for (int i = 0; i < head.length && i < vals.length; i++) {
      if (List.of("S0U", "S1U", "EU", "OU").contains(head[i])) {
        used += Double.parseDouble(vals[i]);
      }
    }
    return Math.round(used);
  }

  /** Runs a jcmd command against the server; returns its output or null. */
  String jcmd(String... args) {
    List<String> cmd = new ArrayList<>(List.of("jcmd", String.valueOf(pid)));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return null;
      }
      return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Stops a server we started: SIGTERM, wait, then SIGKILL and wait. Attached servers are left alone. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  Path log() {
    return log;
  }
}
