/*
 * socket-push management UI: generated in the browser from GET /api.
 *
 * Every method of every service becomes a form:
 *   form-<service>-<method>, inputs input-<service>-<method>-<param>, button call-<service>-<method>,
 *   response result-<service>-<method> (text = the JSON response; class "error" on errors),
 *   HTTP status line status-<service>-<method>.
 * Calls are POST api/<service>/<method> with a JSON object of named params.
 * A 401 asks for an API key (#apiKey, kept in sessionStorage, sent as "Authorization: Bearer <key>").
 * The cluster panel calls POST api/cluster/status every 5 s.
 */
(function () {
  'use strict';

  var KEY_STORAGE = 'socketpush.apiKey';
  var REFRESH_MS = 5000;
  var REQUEST_TIMEOUT_MS = 30000;
  var $ = function (id) { return document.getElementById(id); };

  // ---------------------------------------------------------------- helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v == null || v === false) return;
        if (k === 'text') node.textContent = v;
        else if (k === 'className') node.className = v;
        else if (k === 'hidden') node.hidden = true;
        else node.setAttribute(k, v === true ? '' : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c == null) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function idPart(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, '_'); }

  function apiKey() {
    try { return sessionStorage.getItem(KEY_STORAGE) || ''; } catch (e) { return ''; }
  }

  function setApiKey(key) {
    try {
      if (key) sessionStorage.setItem(KEY_STORAGE, key); else sessionStorage.removeItem(KEY_STORAGE);
    } catch (e) { /* storage disabled */ }
  }

  function headers(extra) {
    var h = { 'Accept': 'application/json' };
    var key = apiKey();
    if (key) h['Authorization'] = 'Bearer ' + key;
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  /** fetch -> {status, ok, body (parsed JSON or text), text, ms}; never rejects. */
  function request(method, url, body) {
    var started = performance.now();
    var init = { method: method, headers: headers(body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
    if (body !== undefined) init.body = JSON.stringify(body);
    var timer = null;
    if (typeof AbortController === 'function') {
      var abort = new AbortController();
      init.signal = abort.signal;
      timer = setTimeout(function () { abort.abort(); }, REQUEST_TIMEOUT_MS);
    }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        clearTimeout(timer);
        var parsed = text;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
        // 401 with AUTH_FAILED is an answer of auth.check, not a missing API key.
        var code = parsed && parsed.error && parsed.error.code;
        if (res.status === 401 && code !== 'AUTH_FAILED') needApiKey();
        if (res.status === 403 && code === 'FORBIDDEN' && apiKey()) {
          notice('The API key was refused for this call (HTTP 403): a read-only key may call list/get/status methods only.', 'warn');
        }
        return { status: res.status, statusText: res.statusText, ok: res.ok, body: parsed, text: text,
                 ms: Math.round(performance.now() - started) };
      });
    }).catch(function (err) {
      clearTimeout(timer);
      var timedOut = err && err.name === 'AbortError';
      return { status: 0, statusText: timedOut ? 'timeout' : 'network error', ok: false, text: String(err),
               body: { error: timedOut ? { code: 'TIMEOUT', message: 'no answer within ' + REQUEST_TIMEOUT_MS / 1000 + ' s' }
                                       : { code: 'NETWORK', message: String(err && err.message || err) } },
               ms: Math.round(performance.now() - started) };
    });
  }

  function errorOf(res) {
    if (res.body && typeof res.body === 'object' && res.body.error) {
      var e = res.body.error;
      return typeof e === 'object' ? { code: e.code || String(res.status), message: e.message || '' }
                                   : { code: String(res.status), message: String(e) };
    }
    return { code: res.status ? String(res.status) : 'NETWORK', message: res.statusText || '' };
  }

  function pretty(value) {
    if (typeof value === 'string') return value;
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }

  function notice(text, kind) {
    var n = $('notice');
    if (!text) { n.hidden = true; n.textContent = ''; return; }
    n.hidden = false;
    n.className = 'notice ' + (kind || '');
    n.textContent = text;
  }

  function needApiKey() {
    var input = $('apiKey');
    var first = $('notice').hidden;
    input.classList.add('attention');
    notice('This server requires an API key (HTTP 401): enter it in the "API key" field at the top, then try again.', 'warn');
    // Focus once, not on every 5 s cluster refresh (that would steal focus from the forms).
    if (first && !input.value) input.focus();
  }

  // ---------------------------------------------------------------- method forms

  function inputFor(service, method, param) {
    var id = 'input-' + idPart(service) + '-' + idPart(method) + '-' + idPart(param.name);
    var type = String(param.type || 'string').toLowerCase();
    var input;
    if (type === 'json' || type === 'object' || type === 'array') {
      input = el('textarea', { id: id, name: param.name, rows: 3, spellcheck: 'false', className: 'json',
        placeholder: type === 'object' ? '{ }' : (type === 'array' ? '[ ]' : 'any JSON value, e.g. {"hello":"world"}') });
      input.addEventListener('input', function () { validateJson(input, type); });
    } else if (type === 'boolean') {
      input = el('input', { id: id, name: param.name, type: 'checkbox' });
    } else if (type === 'number' || type === 'integer' || type === 'int' || type === 'long') {
      input = el('input', { id: id, name: param.name, type: 'number', step: type === 'number' ? 'any' : '1' });
    } else {
      input = el('input', { id: id, name: param.name, type: 'text', autocomplete: 'off', spellcheck: 'false' });
    }
    input.dataset.type = type;
    input.dataset.param = param.name;
    if (param.optional || param.required === false) input.dataset.optional = 'true';
    return input;
  }

  function validateJson(input, type) {
    var text = input.value.trim();
    input.classList.remove('invalid', 'as-string');
    input.title = '';
    if (!text) return;
    try {
      var v = JSON.parse(text);
      if (type === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) {
        input.classList.add('invalid'); input.title = 'must be a JSON object';
      } else if (type === 'array' && !Array.isArray(v)) {
        input.classList.add('invalid'); input.title = 'must be a JSON array';
      }
    } catch (e) {
      if (type === 'json') { input.classList.add('as-string'); input.title = 'not valid JSON: will be sent as a JSON string'; }
      else { input.classList.add('invalid'); input.title = 'not valid JSON'; }
    }
  }

  /** Reads a form into the params object; throws Error with a message on bad input. */
  function collect(form) {
    var params = {};
    Array.prototype.forEach.call(form.querySelectorAll('[data-param]'), function (input) {
      var name = input.dataset.param, type = input.dataset.type;
      if (type === 'boolean') { params[name] = input.checked; return; }
      var text = input.value;
      if (text.trim() === '') return; // omitted: the server reports missing required params
      if (type === 'json') {
        try { params[name] = JSON.parse(text); } catch (e) { params[name] = text; }
      } else if (type === 'object' || type === 'array') {
        var v;
        try { v = JSON.parse(text); } catch (e) { throw new Error(name + ': not valid JSON (' + e.message + ')'); }
        if (type === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) throw new Error(name + ': must be a JSON object');
        if (type === 'array' && !Array.isArray(v)) throw new Error(name + ': must be a JSON array');
        params[name] = v;
      } else if (type === 'number' || type === 'integer' || type === 'int' || type === 'long') {
        var n = Number(text);
        if (!isFinite(n)) throw new Error(name + ': not a number');
        params[name] = n;
      } else {
        params[name] = text;
      }
    });
    return params;
  }

  function showResult(key, res) {
    var out = $('result-' + key), status = $('status-' + key);
    out.hidden = false;
    status.hidden = false;
    if (res.ok) {
      out.className = 'result ok';
      out.textContent = pretty(res.body);
      status.className = 'http ok';
      status.textContent = res.status + ' ' + (res.statusText || 'OK') + ' · ' + res.ms + ' ms';
    } else {
      var err = errorOf(res);
      out.className = 'result error';
      out.textContent = pretty(res.body == null || res.body === '' ? { error: err } : res.body);
      status.className = 'http error';
      status.textContent = (res.status || '—') + ' ' + err.code + (err.message ? ': ' + err.message : '') + ' · ' + res.ms + ' ms';
    }
  }

  function methodForm(service, method, spec) {
    var key = idPart(service) + '-' + idPart(method);
    var params = Array.isArray(spec.params) ? spec.params : [];
    var fields = params.map(function (p) {
      var type = String(p.type || 'string');
      var badges = [el('span', { className: 'ptype', text: type })];
      if (p.shardKey) badges.push(el('span', { className: 'pill shard', text: 'shard key', title: 'routes the call to the owner of this key' }));
      if (p.optional || p.required === false) badges.push(el('span', { className: 'pill', text: 'optional' }));
      return el('div', { className: 'field' }, [
        el('label', { for: 'input-' + key + '-' + idPart(p.name) }, [el('span', { className: 'pname', text: p.name })].concat(badges)),
        inputFor(service, method, p),
        p.description ? el('div', { className: 'pdesc', text: p.description }) : null
      ]);
    });
    var readOnly = spec.readOnly === true;
    var button = el('button', { id: 'call-' + key, type: 'submit', text: 'Call' });
    var form = el('form', { id: 'form-' + key, className: 'method card', novalidate: true,
                            'data-service': service, 'data-method': method }, [
      el('div', { className: 'method-head' }, [
        el('h3', {}, [el('code', { text: service + '.' + method }),
          el('span', { className: 'pill ' + (readOnly ? 'ro' : 'rw'), text: readOnly ? 'read-only' : 'write' })]),
        el('code', { className: 'endpoint muted', text: 'POST /api/' + service + '/' + method })
      ]),
      spec.description ? el('p', { className: 'mdesc', text: spec.description }) : null,
      fields.length ? el('div', { className: 'fields' }, fields) : el('p', { className: 'muted small', text: 'no parameters' }),
      el('div', { className: 'actions' }, [button, el('span', { id: 'status-' + key, className: 'http', hidden: true })]),
      el('pre', { id: 'result-' + key, className: 'result', hidden: true, 'aria-live': 'polite' })
    ]);
    form.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); button.click(); }
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body;
      try { body = collect(form); } catch (err) {
        showResult(key, { ok: false, status: 0, statusText: '', ms: 0,
                          body: { error: { code: 'BAD_REQUEST', message: err.message + ' (not sent)' } } });
        return;
      }
      button.disabled = true;
      form.classList.add('busy');
      request('POST', 'api/' + encodeURIComponent(service) + '/' + encodeURIComponent(method), body)
        .then(function (res) {
          showResult(key, res);
          if (res.ok && service === 'cluster') refreshCluster();
        })
        .then(function () { button.disabled = false; form.classList.remove('busy'); });
    });
    return form;
  }

  function renderApi(api) {
    var root = $('services'), nav = $('nav');
    root.textContent = '';
    nav.textContent = '';
    if (api && api.name) {
      document.title = api.name + ' management';
      $('title').firstChild.textContent = api.name + ' ';
    }
    var services = (api && api.services) || {};
    var names = Object.keys(services);
    if (!names.length) { root.appendChild(el('p', { className: 'muted', text: 'The server describes no services.' })); return; }
    nav.appendChild(el('a', { href: '#cluster', text: 'cluster status' }));
    names.forEach(function (service) {
      var spec = services[service] || {};
      var methods = spec.methods || {};
      var sid = 'service-' + idPart(service);
      var navGroup = el('div', { className: 'nav-group' }, [el('a', { href: '#' + sid, className: 'nav-service', text: service })]);
      var forms = Object.keys(methods).map(function (m) {
        navGroup.appendChild(el('a', { href: '#form-' + idPart(service) + '-' + idPart(m), className: 'nav-method', text: m }));
        return methodForm(service, m, methods[m] || {});
      });
      nav.appendChild(navGroup);
      root.appendChild(el('section', { id: sid, className: 'service' }, [
        el('div', { className: 'service-head' }, [el('h2', { text: service }),
          spec.description ? el('p', { className: 'muted', text: spec.description }) : null]),
        el('div', { className: 'methods' }, forms)
      ]));
    });
    applyFilter();
  }

  function loadApi() {
    return request('GET', 'api').then(function (res) {
      if (res.ok && res.body && typeof res.body === 'object') {
        renderApi(res.body);
        return true;
      }
      var err = errorOf(res);
      var root = $('services');
      root.textContent = '';
      root.appendChild(el('div', { className: 'error-box' }, [
        'Could not load the API description (GET /api): ' + (res.status || '') + ' ' + err.code + (err.message ? ': ' + err.message : ''),
        res.status === 401 ? el('div', { text: 'Enter the API key at the top; the page reloads the description.' }) : null,
        el('button', { type: 'button', text: 'Retry', onclick: null })
      ]));
      root.querySelector('button').addEventListener('click', loadApi);
      return false;
    });
  }

  function applyFilter() {
    var q = $('filter').value.trim().toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll('form.method'), function (f) {
      var text = (f.dataset.service + '.' + f.dataset.method + ' ' + (f.querySelector('.mdesc') || {}).textContent).toLowerCase();
      f.hidden = !!q && text.indexOf(q) < 0;
    });
    Array.prototype.forEach.call(document.querySelectorAll('section.service'), function (s) {
      s.hidden = !!q && !s.querySelector('form.method:not([hidden])');
    });
  }

  // ---------------------------------------------------------------- cluster panel

  var clusterBusy = false, clusterTimer = null;

  function fmtTime(v) {
    if (v == null || v === '') return '';
    var d = typeof v === 'number' ? new Date(v) : new Date(String(v));
    if (isNaN(d.getTime())) return String(v);
    var secs = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
    var up = secs < 120 ? secs + ' s' : secs < 7200 ? Math.round(secs / 60) + ' min' :
             secs < 172800 ? Math.round(secs / 3600) + ' h' : Math.round(secs / 86400) + ' d';
    return d.toLocaleString() + ' (' + up + ')';
  }

  function fmtClock(v) {
    var d = typeof v === 'number' ? new Date(v) : new Date(String(v));
    return isNaN(d.getTime()) ? String(v) : d.toLocaleTimeString();
  }

  function link(url) {
    if (!url) return el('span', { className: 'muted', text: '—' });
    var s = String(url);
    return /^https?:\/\//i.test(s) ? el('a', { href: s, target: '_blank', rel: 'noopener', text: s }) : el('span', { text: s });
  }

  function renderCluster(status) {
    status = status || {};
    var nodes = Array.isArray(status.nodes) ? status.nodes : [];
    var tbody = $('cluster-nodes').tBodies[0];
    tbody.textContent = '';
    var totalConnections = 0;
    nodes.forEach(function (n) {
      n = n || {};
      var roles = Array.isArray(n.roles) ? n.roles : (n.roles ? [String(n.roles)] : []);
      if (typeof n.connections === 'number') totalConnections += n.connections;
      var self = status.nodeId != null && n.nodeId === status.nodeId;
      var extra = [];
      if (n.state != null) extra.push(String(n.state));
      if (n.upSince != null) extra.push('up since ' + fmtClock(n.upSince));
      if (n.downSince != null) extra.push('down since ' + fmtClock(n.downSince));
      var edgeStats = n.edge && typeof n.edge === 'object' ? n.edge : null;
      var statRows = [];
      if (edgeStats) {
        Object.keys(edgeStats).forEach(function (k) {
          var v = edgeStats[k];
          if (k !== 'error' && v !== null && typeof v !== 'object') {
            statRows.push(el('dt', { text: k }), el('dd', { text: String(v) }));
          }
        });
      }
      var statsError = (edgeStats && edgeStats.error) || n.error;
      tbody.appendChild(el('tr', { className: self ? 'self' : null, 'data-node': n.nodeId }, [
        el('td', {}, [el('code', { text: n.nodeId != null ? String(n.nodeId) : '?' }),
          self ? el('span', { className: 'pill', text: 'this node' }) : null,
          extra.length ? el('div', { className: 'muted small', text: extra.join(' · ') }) : null,
          statsError ? el('div', { className: 'small err-text', text: String(statsError) }) : null,
          statRows.length ? el('details', { className: 'stats' }, [el('summary', { text: 'edge stats' }),
            el('dl', {}, statRows)]) : null]),
        el('td', {}, roles.map(function (r) { return el('span', { className: 'role role-' + idPart(r), text: r }); })),
        el('td', {}, [link(n.clientUrl)]),
        el('td', {}, [link(n.adminUrl)]),
        el('td', { className: 'num', text: n.connections != null ? String(n.connections) : '—' }),
        el('td', { className: 'small', text: fmtTime(n.startedAt) })
      ]));
    });
    if (!nodes.length) tbody.appendChild(el('tr', {}, [el('td', { colspan: 6, className: 'muted', text: 'no nodes reported' })]));

    var rings = status.rings && typeof status.rings === 'object' ? status.rings : {};
    var ringsEl = $('cluster-rings');
    ringsEl.textContent = '';
    Object.keys(rings).forEach(function (name) {
      var ring = rings[name] || {};
      var shares = ring.shares && typeof ring.shares === 'object' ? ring.shares : {};
      var owners = Object.keys(shares).sort();
      ringsEl.appendChild(el('div', { className: 'ring', 'data-ring': name }, [
        el('div', { className: 'ring-head' }, [el('strong', { text: name }),
          el('span', { className: 'muted small', text: ring.version != null ? 'version ' + ring.version : '' })]),
        owners.length ? el('div', {}, owners.map(function (owner) {
          var share = Number(shares[owner]) || 0;
          var pct = Math.max(0, Math.min(100, share * 100));
          return el('div', { className: 'share' }, [
            el('code', { className: 'share-owner', text: owner }),
            el('div', { className: 'share-bar' }, [el('div', { className: 'share-fill', style: 'width:' + pct.toFixed(1) + '%' })]),
            el('span', { className: 'share-pct', text: pct.toFixed(1) + ' %' })
          ]);
        })) : el('div', { className: 'muted small', text: 'no owner: calls to this service fail with UNAVAILABLE' })
      ]));
    });
    if (!Object.keys(rings).length) ringsEl.appendChild(el('p', { className: 'muted', text: 'no rings reported' }));

    var summary = [];
    if (status.nodeId != null) summary.push('answered by ' + status.nodeId);
    summary.push(nodes.length + (nodes.length === 1 ? ' node' : ' nodes'));
    summary.push(totalConnections + (totalConnections === 1 ? ' connection' : ' connections'));
    $('cluster-summary').textContent = summary.join(' · ');
  }

  function refreshCluster() {
    if (clusterBusy) return Promise.resolve();
    clusterBusy = true;
    return request('POST', 'api/cluster/status', {}).then(function (res) {
      clusterBusy = false;
      var box = $('cluster-error');
      if (res.ok) {
        box.hidden = true;
        renderCluster(res.body && res.body.result !== undefined ? res.body.result : res.body);
        $('cluster-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        $('cluster').classList.remove('stale');
      } else {
        var err = errorOf(res);
        box.hidden = false;
        box.textContent = 'cluster.status failed: ' + (res.status || '') + ' ' + err.code + (err.message ? ': ' + err.message : '');
        $('cluster').classList.add('stale');
      }
    });
  }

  function scheduleCluster() {
    if (clusterTimer) clearInterval(clusterTimer);
    clusterTimer = null;
    if ($('cluster-auto').checked) clusterTimer = setInterval(function () {
      if (!document.hidden) refreshCluster();
    }, REFRESH_MS);
  }

  // ---------------------------------------------------------------- start

  var keyInput = $('apiKey');
  keyInput.value = apiKey();
  keyInput.addEventListener('change', function () {
    setApiKey(keyInput.value.trim());
    keyInput.classList.remove('attention');
    notice('');
    if (!document.querySelector('form.method')) loadApi();
    refreshCluster();
  });
  $('apiKeyForm').addEventListener('submit', function (e) {
    e.preventDefault();
    keyInput.dispatchEvent(new Event('change'));
  });
  $('filter').addEventListener('input', applyFilter);
  $('cluster-refresh').addEventListener('click', refreshCluster);
  $('cluster-auto').addEventListener('change', scheduleCluster);

  loadApi();
  refreshCluster();
  scheduleCluster();
})();
