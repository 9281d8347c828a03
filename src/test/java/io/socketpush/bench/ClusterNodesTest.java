package io.socketpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClusterNodesTest {
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
