/*
 * socket-push browser client.
 *
 * Wraps the stock Vert.x event-bus bridge client (global EventBus, loaded after SockJS) for the
 * socket-push edge protocol:
 *   1. open the SockJS socket at <url> (default: same origin, /eventbus);
 *   2. authenticate: send to 'socketpush.auth' {userId, sessionId} (or {token} from getToken()) -> reply
 *      {userId} or an err frame; with a token, send a fresh one to 'socketpush.refresh' before its exp;
 *   3. register 'user.<userId>' for user messages;
 *   4. channel messages arrive as 'rec' frames on 'channel.<channelId>' without a local handler:
 *      they are caught through eb.onunhandled;
 *   5. on close: reconnect with exponential backoff and jitter, authenticate and register again,
 *      resuming every stream from the last position received (rec frame headers "epoch"/"offset"): the
 *      edge replays what was missed; a stream it cannot replay is reported through onResume with false;
 *      except after a failed authentication (auth_failed) or when the backend removed the user
 *      (close code 4003): those stop the client with a final status.
 *
 * Usage:
 *   var client = SocketPush.connect({
 *     url: '/eventbus',                  // optional
 *     urls: ['https://e1/eventbus', 'https://e2/eventbus'],  // optional: edges tried in turn on reconnect
 *     userId: '1', sessionId: 'test',
 *     // or, with token auth (config tokens.*), instead of userId/sessionId:
 *     getToken: function () { return fetch('/push-token').then(function (r) { return r.text(); }); },
 *                                        // a JWT string or a Promise of one; called at every (re)connect and
 *                                        // before the token's exp (refresh over the same socket)
 *     onMessage: function (address, body) {},   // 'user.1' or 'channel.<id>'
 *     onStatus: function (text, state) {},      // state: connecting|authenticating|connected|reconnecting|error|closed
 *     onError: function (err) {},               // optional: err frames not tied to a request
 *     transports: ['xhr-streaming'],            // optional: SockJS transports to use (default: all, WebSocket first)
 *     onResume: function (recovered) {}         // optional: after a reconnect, {"user.1": true, "channel.x": false}
 *                                               // (false: messages of that stream may be lost: reload its state)
 *   });
 *   client.positions   // {"user.1": "<epoch>:<offset>", ...}: the last message received per stream
 *   client.recovered   // the last reconnect's answer, as given to onResume
 *   client.subscribe(token)   // joins a private channel with a subscription token: Promise of {channelId}
 *   client.close();
 */
(function (global) {
  'use strict';

  var AUTH_ADDRESS = 'socketpush.auth';
  var REFRESH_ADDRESS = 'socketpush.refresh';
  var SUBSCRIBE_ADDRESS = 'socketpush.subscribe';
  var USER_PREFIX = 'user.';
  var CHANNEL_PREFIX = 'channel.';
  // Close codes of the edge (4000-4999): 4001 auth timeout, 4002 slow consumer, 4003 user removed by the
  // backend, 4004 node shutting down, 4005 node partitioned from the cluster's majority (go to another edge),
  // 4006 too many unauthenticated sockets from the IP, 4007 the connection token expired without a refresh.
  // All but 4003 are followed by a reconnect. Over SockJS framing the
  // Vert.x server sends every close as 3000 "Go away!", so the edge first sends an err frame whose body is
  // the reason ("removed", "shutdown", "auth_timeout", "idle_timeout").
  var CLOSE_REMOVED = 4003;

  function defaultUrl() {
    var loc = global.location;
    return loc.protocol + '//' + loc.host + '/eventbus';
  }

  function absoluteUrl(url) {
    if (!url) return defaultUrl();
    if (/^https?:\/\//i.test(url)) return url;
    var loc = global.location;
    if (url.charAt(0) === '/') return loc.protocol + '//' + loc.host + url;
    return new URL(url, loc.href).toString();
  }

  function errorText(err) {
    if (err == null) return 'unknown error';
    if (typeof err === 'string') return err;
    // err frames: message is the reason (auth_failed, removed...), description says more when the frame has one
    if (err.message) return String(err.message) + (err.description ? ': ' + err.description : '');
    if (err.body) return typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
    if (err.failureType) return String(err.failureType);
    try { return JSON.stringify(err); } catch (e) { return String(err); }
  }

  /** Failures that retrying with the same credentials cannot fix (client err frame bodies). */
  var PERMANENT = ['auth_failed', 'bad_request', 'access_denied', 'forbidden', 'unauthorized'];
  function isPermanent(text) {
    var t = String(text).toLowerCase();
    for (var i = 0; i < PERMANENT.length; i++) if (t.indexOf(PERMANENT[i]) >= 0) return true;
    return false;
  }

  /** Exponential backoff with jitter: min * 2^attempt, capped at max, then +/- jitter. */
  function backoffDelay(attempt, min, max, jitter) {
    var base = Math.min(max, min * Math.pow(2, attempt));
    var delta = base * jitter * (Math.random() * 2 - 1);
    return Math.max(0, Math.round(base + delta));
  }

  /** The exp claim (seconds) of a JWT, or null (no exp, or not readable). */
  function tokenExp(token) {
    try {
      var part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      var exp = JSON.parse(global.atob(part)).exp;
      return typeof exp === 'number' ? exp : null;
    } catch (e) {
      return null;
    }
  }

  /** Milliseconds until a token with this exp should be refreshed: a quarter of its remaining life early (1 s to 60 s). */
  function refreshDelay(exp, nowMs) {
    var remaining = exp * 1000 - nowMs;
    var margin = Math.min(60000, Math.max(1000, remaining / 4));
    return Math.max(0, Math.round(remaining - margin));
  }

  function Client(options) {
    if (typeof global.EventBus !== 'function') {
      throw new Error('socketpush.js needs vertx-eventbus.js (global EventBus) loaded first');
    }
    this.getToken = typeof options.getToken === 'function' ? options.getToken : null;
    if (!this.getToken && (options.userId == null || String(options.userId) === '')) {
      throw new Error('userId (with sessionId) or getToken is required');
    }
    // several edges: a reconnect after a lost connection moves on to the next one (a dead edge is skipped)
    this.urls = (options.urls && options.urls.length ? options.urls : [options.url]).map(absoluteUrl);
    this.urlIndex = 0;
    this.url = this.urls[0];
    this.userId = options.userId == null ? null : String(options.userId);
    this.refreshTimer = null;
    this.sessionId = options.sessionId == null ? '' : String(options.sessionId);
    this.onMessage = options.onMessage || function () {};
    this.onStatus = options.onStatus || function () {};
    this.onError = options.onError || function (err) {
      if (global.console) global.console.warn('socket-push:', err);
    };
    this.reconnectMin = options.reconnectMin || 500;
    this.reconnectMax = options.reconnectMax || 15000;
    this.reconnectJitter = options.reconnectJitter == null ? 0.3 : options.reconnectJitter;
    this.pingInterval = options.pingInterval || 5000;
    // SockJS transports to allow, e.g. ['xhr-streaming', 'xhr-polling'] where WebSockets are blocked
    this.transports = options.transports || null;
    this.onResume = options.onResume || function () {};
    this.positions = {};
    this.recovered = null;

    this.eb = null;
    this.attempt = 0;
    this.timer = null;
    this.closed = false;
    this.authenticated = false;
    this.state = 'idle';
    this._open();
  }

  Client.prototype._status = function (state, text) {
    this.state = state;
    try { this.onStatus(text, state); } catch (e) { if (global.console) global.console.error(e); }
  };

  /** Delivers a message once: a frame at or before the stream's last position (same epoch) is a duplicate. */
  Client.prototype._deliver = function (address, body, headers) {
    if (headers && headers.epoch != null && headers.offset != null) {
      var last = this.positions[address];
      var cut = last ? last.lastIndexOf(':') : -1;
      if (cut > 0 && last.substring(0, cut) === String(headers.epoch)
          && Number(last.substring(cut + 1)) >= Number(headers.offset)) {
        return;
      }
      this.positions[address] = headers.epoch + ':' + headers.offset;
    }
    try { this.onMessage(address, body); } catch (e) { if (global.console) global.console.error(e); }
  };

  Client.prototype._open = function () {
    var self = this;
    if (self.closed) return;
    self.authenticated = false;
    self._status('connecting', self.attempt > 0 ? 'reconnecting…' : 'connecting…');

    var eb;
    try {
      // The stock client's own reconnect stays off: we re-authenticate, so we manage it here.
      self.url = self.urls[self.urlIndex % self.urls.length];
      var ebOptions = { vertxbus_ping_interval: self.pingInterval };
      if (self.transports) ebOptions.transports = self.transports; // passed on to SockJS
      eb = new global.EventBus(self.url, ebOptions);
    } catch (e) {
      self._scheduleReconnect(errorText(e));
      return;
    }
    self.eb = eb;

    eb.onerror = function (err) { if (eb === self.eb) self.onError(err); };

    // Frames without a local handler: channel messages (delivered for every channel the user is
    // subscribed to, registered or not) and err frames not tied to a request.
    eb.onunhandled = function (json) {
      if (eb !== self.eb || !json) return;
      if (json.type === 'rec' && typeof json.address === 'string') {
        self._deliver(json.address, json.body, json.headers);
      } else if (json.type === 'err') {
        // the edge announces why it closes a socket with an err frame first (SockJS loses close codes)
        if (json.body === 'removed') self.removedByServer = true;
        self.onError({ address: json.address, message: errorText(json) });
      }
    };

    eb.onopen = function () {
      if (eb !== self.eb) return;
      self._status('authenticating', 'authenticating' + (self.userId != null ? ' as ' + self.userId : '') + '…');
      if (!self.getToken) {
        authenticate({ userId: self.userId, sessionId: self.sessionId });
        return;
      }
      // a fresh token for every socket: the one of the last socket may have expired meanwhile
      self._fetchToken().then(function (token) {
        if (eb !== self.eb) return;
        self.token = token;
        authenticate({ token: token });
      }, function (e) {
        if (eb !== self.eb) return;
        self._drop();
        self._scheduleReconnect('getToken failed: ' + errorText(e));
      });
    };

    function authenticate(auth) {
      try {
        var resuming = Object.keys(self.positions).length > 0;
        if (resuming) auth.positions = self.positions; // the edge replays what this client missed
        eb.send(AUTH_ADDRESS, auth, function (err, reply) {
          if (eb !== self.eb) return;
          if (err) {
            var why = errorText(err);
            if (isPermanent(why)) {
              // Wrong credentials do not get better by retrying: report and stop.
              self._status('error', 'error: ' + why);
              self._stop();
            } else {
              // The auth service is unavailable or slow: try again later on a fresh socket.
              self._drop();
              self._scheduleReconnect('error: ' + why);
            }
            return;
          }
          var body = reply && reply.body;
          var who = body && body.userId != null ? String(body.userId) : self.userId;
          self.userId = who;
          self.authenticated = true;
          self.attempt = 0;
          if (auth.token) self._scheduleRefresh(eb, auth.token);
          try {
            eb.registerHandler(USER_PREFIX + who, function (herr, msg) {
              if (eb !== self.eb) return;
              if (herr) { self.onError({ address: USER_PREFIX + who, message: errorText(herr) }); return; }
              self._deliver(msg.address || USER_PREFIX + who, msg.body, msg.headers);
            });
          } catch (e) {
            self.onError(e);
          }
          var lost = [];
          if (resuming) {
            self.recovered = (body && body.recovered) || {};
            Object.keys(self.positions).forEach(function (s) { if (self.recovered[s] !== true) lost.push(s); });
            // a stream not recovered starts afresh: its next message sets the position again
            lost.forEach(function (s) { delete self.positions[s]; });
          }
          self._status('connected', 'connected as ' + who + (resuming ? (lost.length ? ' (not recovered: ' + lost.join(', ')
              + ')' : ' (resumed)') : ''));
          if (resuming) {
            try { self.onResume(self.recovered); } catch (e) { if (global.console) global.console.error(e); }
          }
        });
      } catch (e) {
        self.onError(e);
      }
    }

    eb.onclose = function (event) {
      if (eb !== self.eb) return;
      self.eb = null;
      if (self.refreshTimer) { global.clearTimeout(self.refreshTimer); self.refreshTimer = null; }
      self.authenticated = false;
      if (self.closed) return;
      var code = event && event.code, reason = event && event.reason;
      if (code === CLOSE_REMOVED || reason === 'removed' || self.removedByServer) {
        // The backend removed this user (user.remove): coming back would undo it.
        self.closed = true;
        self._status('closed', 'disconnected: removed by the server');
        return;
      }
      self._scheduleReconnect('connection closed' + (reason ? ' (' + reason + ')' : ''));
    };
  };

  /** getToken()'s answer as a Promise of a non-empty string. */
  Client.prototype._fetchToken = function () {
    var self = this;
    return new Promise(function (resolve) { resolve(self.getToken()); }).then(function (t) {
      if (typeof t !== 'string' || t === '') throw new Error('getToken() gave no token');
      return t;
    });
  };

  /** Sends a fresh token to the edge before this one's exp, on the same socket; again for the fresh one. */
  Client.prototype._scheduleRefresh = function (eb, token) {
    var self = this;
    if (self.refreshTimer) { global.clearTimeout(self.refreshTimer); self.refreshTimer = null; }
    var exp = tokenExp(token);
    if (exp == null) return; // a token without exp never expires
    self.refreshTimer = global.setTimeout(function () {
      self.refreshTimer = null;
      if (eb !== self.eb || !self.authenticated) return;
      self._fetchToken().then(function (fresh) {
        if (eb !== self.eb) return;
        eb.send(REFRESH_ADDRESS, { token: fresh }, function (err) {
          if (eb !== self.eb) return;
          if (err) {
            // the socket lives until the old exp; at token_expired the client reconnects with a new token
            self.onError({ address: REFRESH_ADDRESS, message: 'token refresh refused: ' + errorText(err) });
            return;
          }
          self.token = fresh;
          self.refreshes = (self.refreshes || 0) + 1;
          self._scheduleRefresh(eb, fresh);
        });
      }, function (e) {
        if (eb === self.eb) self.onError({ address: REFRESH_ADDRESS, message: 'getToken failed: ' + errorText(e) });
      });
    }, refreshDelay(exp, Date.now()));
  };

  /** Joins a private channel with a subscription token the backend signed; a Promise of {channelId}. */
  Client.prototype.subscribe = function (token) {
    var eb = this.eb;
    if (!eb || !this.authenticated) return Promise.reject(new Error('not connected'));
    return new Promise(function (resolve, reject) {
      eb.send(SUBSCRIBE_ADDRESS, { token: token }, function (err, reply) {
        if (err) reject(new Error(errorText(err))); else resolve(reply && reply.body);
      });
    });
  };

  Client.prototype._scheduleReconnect = function (why) {
    var self = this;
    if (self.closed) return;
    self.urlIndex++;
    var delay = backoffDelay(self.attempt, self.reconnectMin, self.reconnectMax, self.reconnectJitter);
    self.attempt++;
    self._status('reconnecting', why + ', reconnecting in ' + (delay / 1000).toFixed(1) + ' s');
    self.timer = global.setTimeout(function () { self.timer = null; self._open(); }, delay);
  };

  /** Closes the current socket, if any, without triggering a reconnect from its close event. */
  Client.prototype._drop = function () {
    var eb = this.eb;
    this.eb = null;
    if (this.refreshTimer) { global.clearTimeout(this.refreshTimer); this.refreshTimer = null; }
    this.authenticated = false;
    if (eb) { try { eb.close(); } catch (e) { /* already closed */ } }
  };

  /** Stops without a status change (used after auth failure, keeps the error visible). */
  Client.prototype._stop = function () {
    this.closed = true;
    if (this.timer) { global.clearTimeout(this.timer); this.timer = null; }
    this._drop();
  };

  /** Closes the socket and stops reconnecting. */
  Client.prototype.close = function () {
    if (this.closed) return;
    this._stop();
    this._status('closed', 'disconnected');
  };

  /** The SockJS transport in use ('websocket', 'xhr-streaming', ...), or null when not connected. */
  Client.prototype.transport = function () {
    var conn = this.eb && this.eb.sockJSConn;
    return conn && conn.transport ? conn.transport : null;
  };

  Client.prototype.isConnected = function () {
    return this.authenticated && this.eb != null;
  };

  global.SocketPush = {
    connect: function (options) { return new Client(options || {}); },
    backoffDelay: backoffDelay,
    refreshDelay: refreshDelay,
    USER_PREFIX: USER_PREFIX,
    CHANNEL_PREFIX: CHANNEL_PREFIX
  };
})(typeof window !== 'undefined' ? window : this);
