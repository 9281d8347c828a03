/* The demo client page: connects with SocketPush and lists every message received. */
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var form = $('login'), userIdInput = $('userId'), sessionIdInput = $('sessionId');
  var connectBtn = $('connect'), disconnectBtn = $('disconnect');
  var statusEl = $('status'), list = $('messages'), countEl = $('count'), emptyEl = $('empty');
  var client = null;
  var count = 0;
  var MAX_SHOWN = 500;

  // Prefill from the query string: /?userId=1&sessionId=test (&connect=1 connects at once).
  var params = new URLSearchParams(window.location.search);
  if (params.has('userId')) userIdInput.value = params.get('userId');
  if (params.has('sessionId')) sessionIdInput.value = params.get('sessionId');

  function setStatus(text, state) {
    statusEl.textContent = text;
    statusEl.className = 'status state-' + (state || 'idle');
    var active = state && state !== 'error' && state !== 'closed' && state !== 'idle';
    connectBtn.disabled = !!active;
    disconnectBtn.disabled = !active;
    userIdInput.disabled = sessionIdInput.disabled = !!active;
  }

  function label(address) {
    if (typeof address === 'string' && address.indexOf('channel.') === 0) return '[' + address + ']';
    if (typeof address === 'string' && address.indexOf('user.') === 0) return '[user]';
    return '[' + address + ']';
  }

  function addMessage(address, body) {
    var li = document.createElement('li');
    var isChannel = typeof address === 'string' && address.indexOf('channel.') === 0;
    li.className = isChannel ? 'msg channel' : 'msg user';
    var tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = label(address);
    var code = document.createElement('code');
    code.className = 'body';
    code.textContent = JSON.stringify(body === undefined ? null : body);
    var time = document.createElement('time');
    var now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = now.toLocaleTimeString();
    li.appendChild(tag);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(code);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(time);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_SHOWN) list.removeChild(list.lastChild); // newest first, bounded
    count++;
    countEl.textContent = String(count);
    emptyEl.hidden = true;
  }

  function connect() {
    if (client) client.close();
    window.socketPushClient = null;
    var userId = userIdInput.value.trim();
    if (!userId) { setStatus('error: userId is required', 'error'); return; }
    try {
      client = SocketPush.connect({
        userId: userId,
        sessionId: sessionIdInput.value,
        onStatus: setStatus,
        onMessage: addMessage,
        onError: function (err) {
          if (window.console) console.warn('socket-push error frame', err);
        }
      });
      window.socketPushClient = client; // for the browser console and tests
    } catch (e) {
      client = null;
      setStatus('error: ' + e.message, 'error');
    }
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); connect(); });
  disconnectBtn.addEventListener('click', function () {
    if (client) { client.close(); client = null; window.socketPushClient = null; }
  });
  $('clear').addEventListener('click', function () {
    list.textContent = '';
    count = 0;
    countEl.textContent = '0';
    emptyEl.hidden = false;
  });

  setStatus('not connected', 'idle');
  if (params.get('connect') === '1') connect();
})();
