// wellspring dashboard: live state from /api/v1/events (Server-Sent Events, one status a
// second, health events as they happen), charts drawn as SVG by this file, and nothing
// fetched from anywhere but this server. Polls: the open source's preview every 2 s and
// /health every 5 s; nothing faster than once a second.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const HISTORY = 600; // seconds of charts
const MAX_EVENTS = 200;

const state = {
  last: null, // the previous status document
  lastAt: 0,
  rows: [],
  history: [], // {families, ready, requests, h}
  sortKey: 'name',
  sortAscending: true,
  selected: null,
  preview: null,
  previewTimer: null,
  source: null,
};

// ---------- formatting ----------
function fmt(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(digits) + ' M';
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(digits) + ' k';
  return n.toFixed(digits);
}
function duration(seconds) {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}
function color(i) { return `var(--c${i % 6})`; }

// ---------- the event stream ----------
function connect() {
  const events = new EventSource('/api/v1/events');
  state.source = events;
  events.addEventListener('status', (e) => onStatus(JSON.parse(e.data)));
  events.addEventListener('health', (e) => onHealth(JSON.parse(e.data)));
  events.onerror = () => {
    setBadge('offline', 'reconnecting…');
    // The browser retries a dropped stream by itself; a refused one (503: too many
    // viewers) is closed, so try again later.
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  };
}

function setBadge(kind, text) {
  const badge = $('status');
  badge.className = 'badge ' + kind;
  badge.textContent = text;
}

function onStatus(doc) {
  const now = doc.uptime_seconds;
  const prev = state.last;
  const dt = prev && now > prev.uptime_seconds ? now - prev.uptime_seconds : null;
  const before = new Map((prev ? prev.sources : []).map((s) => [s.name, s]));
  const credited = doc.sources.filter((s) => s.credited).length;
  const verdict = credited === 0 ? 'failed' : doc.sources_healthy < doc.sources_total ? 'degraded' : 'ok';
  setBadge(verdict, verdict);
  $('uptime').textContent = duration(now);
  $('healthy').textContent = `${doc.sources_healthy}/${doc.sources_total}`;
  const totalRate = dt && prev ? Math.max(0, doc.credited_bits - prev.credited_bits) / dt : null;
  $('rate').textContent = fmt(totalRate);
  $('blocks').textContent = String(doc.blocks_available);
  $('reseeds').textContent = String(doc.reseeds);
  $('revoked').textContent = String(doc.blocks_revoked);
  if (doc.server && doc.server.modes) $('modes').textContent = doc.server.modes.join(', ');

  const families = {};
  const h = {};
  state.rows = doc.sources.map((s) => {
    const old = before.get(s.name);
    const rate = dt && old ? Math.max(0, s.credited_bits - old.credited_bits) / dt : null;
    if (rate !== null) families[s.family] = (families[s.family] || 0) + rate;
    h[s.name] = s.min_entropy;
    return {
      name: s.name,
      category: s.category,
      health: s.quarantined ? 'quarantined' : !s.enabled ? 'off' : s.min_entropy === null ? 'waiting' : s.healthy ? 'ok' : 'failing',
      h: s.min_entropy,
      origin: s.assessment,
      rate,
      share: rate !== null && totalRate ? rate / totalRate : null,
      samples: s.samples,
      quarantines: s.quarantine_events,
    };
  });
  const requests = {};
  const oldRequests = prev && prev.server ? prev.server.requests : {};
  for (const [route, n] of Object.entries((doc.server && doc.server.requests) || {})) {
    if (dt && route in oldRequests) requests[route] = Math.max(0, n - oldRequests[route]) / dt;
  }
  if (dt) {
    state.history.push({ families, ready: doc.blocks_available, requests, h });
    if (state.history.length > HISTORY) state.history.shift();
  }
  state.last = doc;
  renderTable();
  renderHistory();
  if (state.selected) renderHLine();
}

function onHealth(event) {
  const list = $('events');
  const li = document.createElement('li');
  li.className = event.kind;
  const at = `[${duration(event.uptime_seconds || 0)}]`;
  let text;
  switch (event.kind) {
    case 'quarantine': text = `${event.source} quarantined: ${event.reason || 'health test failed'}`; break;
    case 'readmission': text = `${event.source} re-admitted after a passing re-test`; break;
    case 'reassessment':
      text = `${event.source} re-assessed (${event.origin || '?'}): h ${fmt(event.old_h, 3)} → ${fmt(event.new_h, 3)}`;
      break;
    case 'revocation': text = `${event.blocks} block(s) revoked after a lower re-assessment`; break;
    default: text = JSON.stringify(event);
  }
  li.textContent = `${at} ${text}`;
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

// ---------- the source table ----------
function renderTable() {
  const key = state.sortKey;
  const dir = state.sortAscending ? 1 : -1;
  const rows = [...state.rows].sort((a, b) => {
    const x = a[key], y = b[key];
    if (x === y) return a.name < b.name ? -1 : 1;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  const body = document.querySelector('#sources tbody');
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.source : null;
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.source = r.name;
    tr.setAttribute('aria-selected', String(r.name === state.selected));
    const cells = [
      r.name,
      r.category,
      r.health,
      r.h === null ? '–' : `${r.h.toFixed(3)} (${r.origin || '?'})`,
      fmt(r.rate),
      r.share === null ? '–' : (100 * r.share).toFixed(1) + ' %',
      r.samples.toLocaleString('en'),
      String(r.quarantines),
    ];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 2) td.className = 'health-' + r.health;
      tr.append(td);
    });
    return tr;
  }));
  if (focused) {
    const again = body.querySelector(`tr[data-source="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  document.querySelectorAll('#sources th').forEach((th) => {
    const button = th.querySelector('button');
    if (button.dataset.key === key) th.setAttribute('aria-sort', state.sortAscending ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  });
}

function setupTable() {
  document.querySelectorAll('#sources th button').forEach((button) => {
    button.addEventListener('click', () => {
      const key = button.dataset.key;
      state.sortAscending = state.sortKey === key ? !state.sortAscending : true;
      state.sortKey = key;
      renderTable();
    });
  });
  const body = document.querySelector('#sources tbody');
  body.addEventListener('click', (e) => {
    const tr = e.target.closest('tr');
    if (tr) openSource(tr.dataset.source);
  });
  body.addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr');
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openSource(tr.dataset.source);
    } else if (e.key === 'ArrowDown' && tr.nextElementSibling) {
      e.preventDefault();
      tr.nextElementSibling.focus();
    } else if (e.key === 'ArrowUp' && tr.previousElementSibling) {
      e.preventDefault();
      tr.previousElementSibling.focus();
    }
  });
}

// ---------- the source panel ----------
function openSource(name) {
  state.selected = name;
  state.preview = null;
  $('panel').hidden = false;
  $('panel-title').textContent = name;
  $('panel-physics').textContent = '';
  renderTable();
  clearInterval(state.previewTimer);
  loadPreview();
  state.previewTimer = setInterval(loadPreview, 2000);
}

function closeSource() {
  state.selected = null;
  clearInterval(state.previewTimer);
  $('panel').hidden = true;
  renderTable();
}

async function loadPreview() {
  const name = state.selected;
  if (!name) return;
  try {
    const response = await fetch(`/api/v1/sources/${encodeURIComponent(name)}/preview`);
    const body = await response.json();
    if (name !== state.selected) return;
    if (!response.ok) {
      $('panel-physics').textContent = body.error || 'no samples';
      return;
    }
    $('panel-physics').textContent = body.physics || '';
    state.preview = body.samples;
    renderPreview();
  } catch (e) {
    // Offline: the badge says so; the next tick tries again.
  }
}

function renderPreview() {
  const samples = state.preview || [];
  const counts = new Array(256).fill(0);
  for (const s of samples) counts[s]++;
  const max = Math.max(1, ...counts);
  const histogram = $('histogram');
  histogram.replaceChildren(...counts.map((c, i) => rect(i, 100 - (100 * c) / max, 1, (100 * c) / max, color(0))));
  const mode = counts.indexOf(max);
  histogram.setAttribute('aria-label', `histogram of ${samples.length} samples; ` +
    `${counts.filter((c) => c > 0).length} distinct values; most common ${mode} ` +
    `(${((100 * max) / Math.max(1, samples.length)).toFixed(1)} %)`);

  const tail = samples.slice(-256);
  const strip = $('strip');
  const points = tail.map((s, i) => `${i},${100 - (100 * s) / 255}`).join(' ');
  strip.replaceChildren(polyline(points, color(1)));
  strip.setAttribute('aria-label', `the last ${tail.length} sample values, from ` +
    `${Math.min(...tail)} to ${Math.max(...tail)}`);

  const acf = autocorrelation(samples, 32);
  const band = 1.96 / Math.sqrt(Math.max(1, samples.length));
  const chart = $('acf');
  const y = (v) => 50 - 50 * Math.max(-1, Math.min(1, v));
  const bars = acf.map((v, i) => rect(i * 10 + 1, Math.min(y(v), 50), 8, Math.abs(y(v) - 50), Math.abs(v) > band ? 'var(--bad)' : color(2)));
  chart.replaceChildren(...bars, line(0, y(band), 320, y(band)), line(0, y(-band), 320, y(-band)));
  const outside = acf.filter((v) => Math.abs(v) > band).length;
  chart.setAttribute('aria-label', `autocorrelation at lags 1 to 32: ${outside} outside the ` +
    `±${band.toFixed(3)} band; largest ${fmt(Math.max(...acf.map(Math.abs)), 3)}`);
  renderHLine();
}

function autocorrelation(samples, lags) {
  const n = samples.length;
  if (n < 2) return new Array(lags).fill(0);
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  let variance = 0;
  for (const s of samples) variance += (s - mean) ** 2;
  const out = [];
  for (let k = 1; k <= lags; k++) {
    let sum = 0;
    for (let i = 0; i + k < n; i++) sum += (samples[i] - mean) * (samples[i + k] - mean);
    out.push(variance > 0 ? sum / variance : 0);
  }
  return out;
}

function renderHLine() {
  const name = state.selected;
  const values = state.history.map((p) => p.h[name]).filter((v) => v !== null && v !== undefined);
  const chart = $('hline');
  if (values.length === 0) {
    chart.replaceChildren();
    chart.setAttribute('aria-label', `${name}: not assessed yet`);
    return;
  }
  const top = Math.max(...values) * 1.1 || 1;
  const points = values.map((v, i) => `${(600 * i) / HISTORY},${100 - (100 * v) / top}`).join(' ');
  chart.replaceChildren(polyline(points, color(3)));
  chart.setAttribute('aria-label', `assessed h of ${name}: now ${values[values.length - 1].toFixed(3)} ` +
    `bits per sample, lowest ${Math.min(...values).toFixed(3)} in the last ${values.length} s`);
}

// ---------- charts over time ----------
function renderHistory() {
  const history = state.history;
  const x = (i) => (600 * i) / HISTORY;

  const names = [...new Set(history.flatMap((p) => Object.keys(p.families)))].sort();
  const totals = history.map((p) => names.reduce((a, n) => a + (p.families[n] || 0), 0));
  const top = Math.max(1, ...totals);
  const base = history.map(() => 0);
  const areas = names.map((name, k) => {
    const upper = history.map((p, i) => base[i] + (p.families[name] || 0));
    const d = upper.map((v, i) => `${i ? 'L' : 'M'}${x(i)},${120 - (120 * v) / top}`).join(' ') +
      base.map((v, i) => i).reverse().map((i) => `L${x(i)},${120 - (120 * base[i]) / top}`).join(' ') + ' Z';
    upper.forEach((v, i) => { base[i] = v; });
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', color(k));
    path.setAttribute('fill-opacity', '0.7');
    return path;
  });
  $('families').replaceChildren(...(history.length > 1 ? areas : []));
  legend('families-legend', names);
  const latest = history[history.length - 1];
  $('families').setAttribute('aria-label', 'credit rate per family now: ' +
    (latest ? names.map((n) => `${n} ${fmt(latest.families[n] || 0)} bits/s`).join(', ') : 'no data yet'));

  const ready = history.map((p) => p.ready);
  const readyTop = Math.max(1, ...ready);
  $('ready').replaceChildren(polyline(ready.map((v, i) => `${x(i)},${80 - (80 * v) / readyTop}`).join(' '), color(0)));
  $('ready').setAttribute('aria-label', `full-entropy blocks ready: now ${latest ? latest.ready : '–'}, ` +
    `peak ${readyTop} in the window`);

  const routes = [...new Set(history.flatMap((p) => Object.keys(p.requests)))].sort();
  const rtop = Math.max(1, ...history.flatMap((p) => Object.values(p.requests)));
  $('requests').replaceChildren(...routes.map((route, k) =>
    polyline(history.map((p, i) => `${x(i)},${80 - (80 * (p.requests[route] || 0)) / rtop}`).join(' '), color(k))));
  legend('requests-legend', routes);
  $('requests').setAttribute('aria-label', 'requests per second by route now: ' +
    (latest ? routes.map((r) => `${r} ${fmt(latest.requests[r] || 0)}`).join(', ') || 'none' : 'no data yet'));
}

function legend(id, names) {
  $(id).replaceChildren(...names.map((name, k) => {
    const span = document.createElement('span');
    span.style.setProperty('--swatch', color(k));
    span.textContent = name;
    return span;
  }));
}

function rect(x, y, w, h, fill) {
  const r = document.createElementNS(SVG, 'rect');
  r.setAttribute('x', x); r.setAttribute('y', y);
  r.setAttribute('width', w); r.setAttribute('height', Math.max(0, h));
  r.setAttribute('fill', fill);
  return r;
}
function polyline(points, stroke) {
  const p = document.createElementNS(SVG, 'polyline');
  p.setAttribute('points', points);
  p.setAttribute('fill', 'none');
  p.setAttribute('stroke', stroke);
  p.setAttribute('stroke-width', '1.5');
  p.setAttribute('vector-effect', 'non-scaling-stroke');
  return p;
}
function line(x1, y1, x2, y2) {
  const l = document.createElementNS(SVG, 'line');
  l.setAttribute('x1', x1); l.setAttribute('y1', y1); l.setAttribute('x2', x2); l.setAttribute('y2', y2);
  l.setAttribute('stroke', 'var(--muted)');
  l.setAttribute('stroke-dasharray', '4 3');
  l.setAttribute('vector-effect', 'non-scaling-stroke');
  return l;
}

// ---------- draw ----------
function drawUrl() {
  const type = $('draw-type').value;
  const params = new URLSearchParams({ length: $('draw-length').value, type });
  if (type === 'hex16') params.set('size', $('draw-size').value);
  if ($('draw-conditioning').value === 'sha256') params.set('conditioning', 'sha256');
  return `/api/v1/random?${params}`;
}

function setupDraw() {
  const show = () => { $('draw-url').textContent = location.origin + drawUrl(); };
  ['draw-type', 'draw-length', 'draw-size', 'draw-conditioning'].forEach((id) => $(id).addEventListener('input', show));
  show();
  $('draw').addEventListener('submit', async (e) => {
    e.preventDefault();
    show();
    try {
      const response = await fetch(drawUrl());
      const body = await response.json();
      $('draw-result').textContent = `${response.status}\n${JSON.stringify(body, null, 1)}`;
    } catch (err) {
      $('draw-result').textContent = `request failed: ${err}`;
    }
  });
}

// ---------- LiveCam ----------
async function loadHealth() {
  try {
    const response = await fetch('/health');
    const health = await response.json();
    const groups = Object.entries(health.livecam_by_continent || {});
    $('livecam').textContent = health.livecam_mode === 'camera'
      ? `${health.livecam_total_regions} regions in ${groups.length} groups; ` +
        (health.livecam_prefetching ? 'prefetching' : 'not prefetching')
      : 'no camera feeds configured: /rng mixes CPU timing jitter and OS randomness into the pool output';
    const thumbnails = health.livecam_mode === 'camera'
      ? (await (await fetch('/api/v1/livecam/thumbnails')).json()).groups : {};
    $('livecam-groups').replaceChildren(...groups.map(([group, n]) => {
      const li = document.createElement('li');
      li.textContent = `${group}: ${n} regions `;
      for (const url of thumbnails[group] || []) {
        const img = document.createElement('img');
        img.src = url;
        img.alt = `a recent region of a public ${group} feed`;
        img.className = 'thumbnail';
        li.append(img);
      }
      return li;
    }));
  } catch (e) {
    // Offline; tried again in 5 s.
  }
}

window.addEventListener('DOMContentLoaded', () => {
  setupTable();
  setupDraw();
  $('panel-close').addEventListener('click', closeSource);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.selected) closeSource(); });
  connect();
  loadHealth();
  setInterval(loadHealth, 5000);
});
