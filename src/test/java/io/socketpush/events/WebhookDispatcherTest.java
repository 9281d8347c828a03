package io.socketpush.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The retry delay: exponential, capped, with 50-100% jitter. */
class WebhookDispatcherTest {
  @Test
  void backoffDoublesUpToTheMaximumWithJitter() {
    assertEquals(500, WebhookDispatcher.backoff(1, 500, 30_000, 0.999_999_9));
    assertEquals(250, WebhookDispatcher.backoff(1, 500, 30_000, 0));
    assertEquals(1_000, WebhookDispatcher.backoff(2, 500, 30_000, 0.999_999_9));
    assertEquals(4_000, WebhookDispatcher.backoff(4, 500, 30_000, 0.999_999_9));
    assertEquals(30_000, WebhookDispatcher.backoff(10, 500, 30_000, 0.999_999_9));
    assertEquals(15_000, WebhookDispatcher.backoff(1_000, 500, 30_000, 0));
  }
}
