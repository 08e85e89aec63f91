// Millrace dashboard: polls the JSON API of this server (same origin, so the browser's Basic
// credentials go along) and shows the server, its live streams and clients, and charts of the last
// minutes from /api/history. Text from the server is only ever set with textContent.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  const MIN_CHART_SPAN_MS = 60_000;
  // Relative to /dashboard/, so the page also works behind a proxy that adds a path prefix.
  const API = '../api/';

  // ---- formatting ----------------------------------------------------------------------------

  const number1 = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
  const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

  /** A rate in bits per second: "850 bit/s", "1.2 Mbit/s". */
  function bits(bps) {
    const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
    let v = bps;
    let i = 0;
    while (Math.abs(v) >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    return `${i === 0 ? integer.format(v) : number1.format(v)} ${units[i]}`;
  }

  /** A size in bytes: "512 B", "3.4 MB" (powers of 1000). */
  function bytes(n) {
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let v = n;
    let i = 0;
    while (Math.abs(v) >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    return `${i === 0 ? integer.format(v) : number1.format(v)} ${units[i]}`;
  }

  /** A duration in seconds: "42 s", "5 min 03 s", "2 h 07 min", "3 d 4 h". */
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = n => String(n).padStart(2, '0');
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor(s / 60) % 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor(s / 3600) % 24} h`;
  }

  const count = n => integer.format(n);

  // ---- DOM helpers ---------------------------------------------------------------------------

  const $ = id => document.getElementById(id);

  function setText(id, text) {
    const e = $(id);
    if (e.textContent !== text) e.textContent = text;
  }

  /** A cell's content: a main text and an optional second, muted line. */
  function setCell(td, main, sub) {
    const key = `${main}\n${sub ?? ''}`;
    if (td.dataset.shown === key) return;
    td.dataset.shown = key;
    td.replaceChildren(document.createTextNode(main));
    if (sub) {
      const d = document.createElement('div');
      d.className = 'sub';
      d.textContent = sub;
      td.append(d);
    }
  }

  function button(label, className, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = label;
    b.addEventListener('click', () => onClick(b));
    return b;
  }

  /**
   * Brings a table body in line with items, keeping the rows of items that stay (so a button under
   * the pointer is not replaced between two refreshes). columns: [className, item => [main, sub]];
   * create(tr, item, actionsCell) runs once per new row, update(tr, item) on every refresh.
   */
  function syncRows(tbody, items, keyOf, columns, create, update) {
    const old = new Map(Array.from(tbody.rows, tr => [tr.dataset.key, tr]));
    let previous = null;
    for (const item of items) {
      const key = keyOf(item);
      let tr = old.get(key);
      if (tr) {
        old.delete(key);
      } else {
        tr = document.createElement('tr');
        tr.dataset.key = key;
        for (const [className] of columns) {
          const td = document.createElement('td');
          if (className) td.className = className;
          tr.append(td);
        }
        const actions = document.createElement('td');
        actions.className = 'act';
        tr.append(actions);
        create(tr, item, actions);
      }
      columns.forEach(([, value], i) => setCell(tr.cells[i], ...value(item)));
      if (update) update(tr, item);
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (tr !== expected) tbody.insertBefore(tr, expected);
      previous = tr;
    }
    for (const tr of old.values()) tr.remove();
  }

  let noticeTimer = 0;
  function notice(text, kind) {
    const n = $('notice');
    n.textContent = text;
    n.dataset.kind = kind || 'info';
    n.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { n.hidden = true; }, 4000);
  }

  // ---- API -----------------------------------------------------------------------------------

  async function getJson(path) {
    const r = await fetch(API + path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.json();
  }

  async function post(path) {
    const r = await fetch(API + path, { method: 'POST', headers: { Accept: 'application/json' } });
    if (!r.ok) {
      let message = `HTTP ${r.status}`;
      try {
        message = (await r.json()).message || message;
      } catch (e) {
        // not JSON: keep the status
      }
      throw new Error(message);
    }
  }

  async function kick(client, b) {
    if (!window.confirm(`Kick client ${client.clientId} (${client.ip})? Its connection will be closed.`)) return;
    b.disabled = true;
    try {
      await post(`clients/${encodeURIComponent(client.clientId)}/kick`);
      notice(`Client ${client.clientId} kicked`);
    } catch (e) {
      notice(`Kick failed: ${e.message}`, 'error');
      b.disabled = false;
    }
    refreshSoon();
  }

  async function stop(stream, b) {
    const name = `${stream.app}/${stream.instance}/${stream.name}`;
    if (!window.confirm(`Stop the live stream ${name}? The publisher stays connected.`)) return;
    b.disabled = true;
    try {
      const path = [stream.app, stream.instance, stream.name].map(encodeURIComponent).join('/');
      await post(`streams/${path}/stop`);
      notice(`Stream ${name} stopped`);
    } catch (e) {
      notice(`Stop failed: ${e.message}`, 'error');
      b.disabled = false;
    }
    refreshSoon();
  }

  // ---- server, streams, clients --------------------------------------------------------------

  // The server's clock minus this browser's, so that connection times do not depend on the latter.
  let clockOffset = 0;

  function renderServer(s, streams) {
    clockOffset = s.launchTimeMillis + s.uptimeSeconds * 1000 - Date.now();
    setText('version', s.version);
    setText('s-uptime', duration(s.uptimeSeconds));
    const launch = new Date(s.launchTimeMillis);
    const today = launch.toDateString() === new Date().toDateString();
    setText('s-uptime-sub', `since ${today ? launch.toLocaleTimeString() : launch.toLocaleString()}`);
    setText('s-connections', count(s.connections));
    setText('s-connections-sub', `${count(s.totalConnects)} accepted, ${count(s.rejectedConnects)} rejected`);
    setText('s-bw-in', bits(s.bwIn * 8));
    setText('s-bw-in-sub', `${bytes(s.bytesIn)} received`);
    setText('s-bw-out', bits(s.bwOut * 8));
    setText('s-bw-out-sub', `${bytes(s.bytesOut)} sent`);
    setText('s-cpu', s.cpuUsage < 0 ? '–' : `${number1.format(s.cpuUsage * 100)} %`);
    setText('s-cpu-sub', `of one core; ${s.cores} cores`);
    setText('s-memory', bytes(s.heapUsedBytes));
    setText('s-memory-sub', `of ${bytes(s.heapMaxBytes)}; direct ${bytes(s.directMemoryUsedBytes)}`);
    const viewers = streams.reduce((n, x) => n + x.viewers, 0);
    setText('s-streams', count(s.liveStreams));
    setText('s-streams-sub', `${count(viewers)} viewers, ${count(s.netStreams)} NetStreams`);
  }

  const STREAM_COLUMNS = [
    ['name', x => [x.name, `${x.app}/${x.instance}`]],
    ['', x => (x.publisherClientId == null ? ['waiting', 'no publisher'] : [`client ${x.publisherClientId}`, x.publishType])],
    ['', x => [[x.videoCodec, x.audioCodec].filter(Boolean).join(' / ') || '–']],
    ['', x => [x.width > 0 ? `${x.width}×${x.height}` : '–']],
    ['num', x => [x.frameRate > 0 ? number1.format(x.frameRate) : '–']],
    ['num', x => [bits(x.bitrateIn)]],
    ['num', x => [count(x.viewers)]],
    ['num', x => [x.publisherClientId == null ? '–' : duration(x.uptimeSeconds)]],
  ];

  function renderStreams(streams) {
    syncRows($('streams').tBodies[0], streams, x => `${x.app}/${x.instance}/${x.name}`, STREAM_COLUMNS, (tr, x, actions) => {
      tr.dataset.streamApp = x.app;
      tr.dataset.streamInstance = x.instance;
      tr.dataset.streamName = x.name;
      actions.append(button('Stop', 'stop', b => stop(x, b)));
    }, (tr, x) => {
      // A stream that waits for its publisher has nothing to stop (until it is published again).
      const b = tr.querySelector('button.stop');
      b.hidden = x.publisherClientId == null;
      if (b.hidden) b.disabled = false;
    });
    setText('streams-count', `(${streams.length})`);
    $('streams-empty').hidden = streams.length > 0;
  }

  const CLIENT_COLUMNS = [
    ['num', c => [c.clientId]],
    ['', c => [c.ip, `port ${c.port}`]],
    ['', c => [c.app ?? '–', c.instance]],
    ['agent', c => [c.flashVer || '–', c.protocol]],
    ['num', c => [duration((Date.now() + clockOffset - c.connectTimeMillis) / 1000)]],
    ['num', c => [bits(c.bwIn * 8)]],
    ['num', c => [bits(c.bwOut * 8)]],
    ['num', c => [c.pingRttMillis < 0 ? '–' : `${count(c.pingRttMillis)} ms`]],
    ['num', c => [bytes(c.bytesIn)]],
    ['num', c => [bytes(c.bytesOut)]],
    ['num', c => [count(c.streams)]],
  ];

  function renderClients(clients) {
    syncRows($('clients').tBodies[0], clients, c => c.clientId, CLIENT_COLUMNS, (tr, c, actions) => {
      tr.dataset.clientId = c.clientId;
      tr.cells[3].title = c.flashVer || '';
      actions.append(button('Kick', 'kick', b => kick(c, b)));
    });
    setText('clients-count', `(${clients.length})`);
    $('clients-empty').hidden = clients.length > 0;
  }

  // ---- history and charts --------------------------------------------------------------------

  const history = { samples: [], lastSeq: 0, capacity: 600, intervalMillis: 1000, launch: null };

  const CHARTS = [
    { key: 'bwOut', value: s => s.bwOut * 8, format: bits, color: '#1d4ed8' },
    { key: 'bwIn', value: s => s.bwIn * 8, format: bits, color: '#15803d' },
    { key: 'connections', value: s => s.connections, format: count, color: '#7c3aed', min: 2 },
    { key: 'liveBitrateIn', value: s => s.liveBitrateIn, format: bits, color: '#c2410c' },
  ];

  function addHistory(h, launchTimeMillis) {
    if (history.launch !== null && history.launch !== launchTimeMillis) {
      // The server restarted and numbers its samples anew: start over on the next refresh.
      history.launch = launchTimeMillis;
      history.samples = [];
      history.lastSeq = 0;
      return;
    }
    history.launch = launchTimeMillis;
    history.capacity = h.capacity;
    history.intervalMillis = h.intervalMillis;
    history.samples.push(...h.samples.filter(s => s.seq > history.lastSeq));
    if (history.samples.length > history.capacity) history.samples.splice(0, history.samples.length - history.capacity);
    if (history.samples.length > 0) history.lastSeq = history.samples[history.samples.length - 1].seq;
  }

  /** The chart's top: 1, 2, 4, 6 or 8 times a power of ten, at least v and at least min. */
  function niceCeil(v, min) {
    const target = Math.max(v, min);
    const p = 10 ** Math.floor(Math.log10(target));
    for (const m of [1, 2, 4, 6, 8]) {
      if (m * p >= target) return m * p;
    }
    return 10 * p;
  }

  function drawChart(def) {
    const canvas = $(`chart-${def.key}`);
    const samples = history.samples;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);

    const left = 74;
    const right = w - 6;
    const top = 8;
    const bottom = h - 20;
    const end = samples.length ? samples[samples.length - 1].timeMillis : Date.now();
    const full = history.capacity * history.intervalMillis;
    const span = Math.min(full, Math.max(MIN_CHART_SPAN_MS, samples.length ? end - samples[0].timeMillis : 0));
    // Counts keep an even top, so that the middle line is a whole number too.
    const max = niceCeil(Math.max(0, ...samples.map(def.value)), def.min || 1000);
    const x = t => left + ((t - (end - span)) / span) * (right - left);
    const y = v => bottom - (v / max) * (bottom - top);

    // Grid and labels.
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e5e9f0';
    ctx.fillStyle = '#5d6877';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const f of [0, 0.5, 1]) {
      const gy = Math.round(y(max * f)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, gy);
      ctx.lineTo(right, gy);
      ctx.stroke();
      ctx.fillText(def.format(max * f), left - 6, gy);
    }
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    const minutes = span / 60_000;
    ctx.fillText(minutes >= 1.5 ? `−${Math.round(minutes)} min` : `−${Math.round(span / 1000)} s`, left, h - 4);
    ctx.textAlign = 'right';
    ctx.fillText('now', right, h - 4);

    canvas.dataset.points = String(samples.length);
    const last = samples[samples.length - 1];
    setText(`now-${def.key}`, last ? def.format(def.value(last)) : '');
    if (samples.length < 2) return;

    // The series: a line over a light area; a gap of more than three intervals breaks it.
    const path = new Path2D();
    const area = new Path2D();
    let runStart = null;
    let prev = null;
    const closeRun = () => {
      if (runStart !== null) {
        area.lineTo(x(prev.timeMillis), bottom);
        area.lineTo(x(runStart.timeMillis), bottom);
        area.closePath();
      }
    };
    for (const s of samples) {
      const px = x(s.timeMillis);
      const py = y(def.value(s));
      if (prev === null || s.timeMillis - prev.timeMillis > 3 * history.intervalMillis) {
        closeRun();
        runStart = s;
        path.moveTo(px, py);
        area.moveTo(px, bottom);
        area.lineTo(px, py);
      } else {
        path.lineTo(px, py);
        area.lineTo(px, py);
      }
      prev = s;
    }
    closeRun();
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 2, right - left, bottom - top + 4);
    ctx.clip();
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = def.color;
    ctx.fill(area);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = def.color;
    ctx.lineWidth = 1.75;
    ctx.lineJoin = 'round';
    ctx.stroke(path);
    ctx.restore();
  }

  function drawCharts() {
    CHARTS.forEach(drawChart);
  }

  // ---- refresh loop --------------------------------------------------------------------------

  function setStatus(state, text) {
    const s = $('status');
    s.dataset.state = state;
    if (s.textContent !== text) s.textContent = text;
  }

  async function refresh() {
    try {
      const [server, streams, clients, hist] = await Promise.all([
        getJson('server'), getJson('streams'), getJson('clients'), getJson(`history?after=${history.lastSeq}`)]);
      renderServer(server, streams);
      renderStreams(streams);
      renderClients(clients);
      addHistory(hist, server.launchTimeMillis);
      drawCharts();
      setStatus('ok', `Live, updated ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      setStatus('error', `Cannot reach the server (${e.message}); retrying`);
    }
  }

  let timer = 0;
  let running = false;
  let again = false;

  async function tick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      if (!document.hidden) await refresh();
    } finally {
      running = false;
      clearTimeout(timer);
      timer = setTimeout(tick, again ? 0 : REFRESH_MS);
      again = false;
    }
  }

  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(tick, 0);
  }

  document.addEventListener('visibilitychange', () => { if (!document.hidden) refreshSoon(); });
  window.addEventListener('resize', drawCharts);
  tick();
})();
