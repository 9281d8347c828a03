package io.socketpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClusterNodesTest {
  @Test
  void readingsOfSeveralProcessesSumOrAreUnknown() {
    assertEquals(6, Bench.sumOrUnknown(java.util.List.of(1L, 2L, 3L), Long::longValue));
    assertEquals(-1, Bench.sumOrUnknown(java.util.List.of(1L, -1L, 3L), Long::longValue), "one process without it");
    assertEquals(0, Bench.sumOrUnknown(java.util.List.<Long>of(), Long::longValue));
  }

  @Test
  void sumsRemoteSentAndPublishedEventBusMessagesButNotHeartbeats() {
    String page = String.join("\n",
        "# HELP vertx_eventbus_sent_total Number of messages sent",
        "vertx_eventbus_sent_total{address=\"socketpush.edge.n1\",side=\"remote\",} 120.0",
        "vertx_eventbus_sent_total{address=\"socketpush.channel.n2\",side=\"local\",} 999.0",
        "vertx_eventbus_published_total{address=\"socketpush.membership\",side=\"remote\",} 7.0",
        "vertx_eventbus_published_total{address=\"socketpush.config.changed\",side=\"remote\",} 2.0",
        "vertx_eventbus_received_total{address=\"socketpush.edge.n1\",side=\"remote\",} 50.0",
        "socketpush_frames_out_total 3.0");
    assertEquals(122, ClusterNodes.remoteMessages(page));
    assertEquals(0, ClusterNodes.remoteMessages("jvm_threads_live 12.0"));
  }
}
