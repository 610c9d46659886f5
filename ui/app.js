'use strict';
// The collector's web UI: traces (search and waterfall), topology, problems. Plain DOM, no
// framework, nothing from the network but this collector's own JSON API. Everything shown came
// from agents, so text is only ever set as text (textContent, attributes), never parsed as HTML.
(function () {
  const main = document.getElementById('main');
  const status = document.getElementById('status');
  const SVG = 'http://www.w3.org/2000/svg';

  /** An element with attributes (on* never), children as nodes or text. */
  function el(tag, attrs, ...children) {
    const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.setAttribute('class', v);
      else if (k === 'style') Object.assign(node.style, v);
      else if (k === 'onclick') node.addEventListener('click', v);
      else if (k === 'onsubmit') node.addEventListener('submit', v);
      else if (!k.startsWith('on')) node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  async function api(path) {
    const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    let body;
    try {
      body = await res.json();
    } catch {
      body = { error: `HTTP ${res.status}` };
    }
    if (!res.ok) throw new Error(body && body.error ? String(body.error) : `HTTP ${res.status}`);
    return body;
  }

  const present = (nodes) => nodes.flat().filter((n) => n !== undefined && n !== null && n !== false);

  function show(...nodes) {
    main.replaceChildren(...present(nodes));
  }

  function fail(err) {
    show(el('p', { class: 'err', id: 'error' }, `Could not load: ${err && err.message ? err.message : err}`));
  }

  const ms = (n) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);
  /** "1 span", "2 spans". */
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  /** The API path of a trace: any id as one encoded path segment, the dot segments . and .. by query. */
  const traceApi = (id) =>
    id === '.' || id === '..' ? `/api/trace?id=${encodeURIComponent(id)}` : `/api/traces/${encodeURIComponent(id)}`;
  /** Past these, a cell shows its start and the whole text on demand (a <details> that opens). */
  const LONG_CHARS = 300;
  const LONG_LINES = 4;

  /** Text as a cell shows it: whole when short; else its first line cut, the whole text a click away. */
  function longText(text, cls) {
    const lines = text.split('\n');
    if (text.length <= LONG_CHARS && lines.length <= LONG_LINES)
      return el('pre', { class: `content mono ${cls || ''}` }, text);
    const head = lines[0].length > 120 ? `${lines[0].slice(0, 120)}…` : lines[0];
    return el(
      'details',
      { class: 'long' },
      el(
        'summary',
        {},
        el('span', { class: 'mono' }, head),
        el(
          'span',
          { class: 'muted' },
          ` (${plural(lines.length, 'line')}, ${plural(text.length, 'character')}: show all)`,
        ),
      ),
      el('pre', { class: `content mono ${cls || ''}` }, text),
    );
  }

  /** Ticks for a time axis of `total` ms: 0 and steps of 1, 2 or 5 × 10^k, about five of them. */
  function ticks(total) {
    const raw = total / 5;
    const p = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw;
    const out = [];
    for (let t = 0; t <= total + 1e-9; t += step) out.push(t);
    return out;
  }
  const time = (epoch) => (epoch ? new Date(epoch).toISOString().replace('T', ' ').replace('Z', '') : '');

  function route() {
    const hash = location.hash || '#/traces';
    const [path, query] = hash.slice(1).split('?');
    const params = new URLSearchParams(query || '');
    const view = path.split('/')[1] || 'traces';
    for (const a of document.querySelectorAll('header nav a'))
      a.classList.toggle('active', a.dataset.view === (view === 'trace' ? 'traces' : view));
    if (view === 'trace') return traceView(decodeURIComponent(path.split('/').slice(2).join('/'))).catch(fail);
    if (view === 'topology') return topologyView().catch(fail);
    if (view === 'problems') return problemsView().catch(fail);
    return tracesView(params).catch(fail);
  }

  // ---------------------------------------------------------------- trace list
  const FIELDS = ['service', 'endpoint', 'traceId', 'minDuration', 'since', 'error', 'offset'];
  const SINCE = { '': 'any time', 900000: 'last 15 min', 3600000: 'last hour', 86400000: 'last day' };

  async function tracesView(params) {
    const services = await api('/api/services').catch(() => []);
    const q = new URLSearchParams();
    for (const f of ['service', 'endpoint', 'traceId', 'minDuration', 'offset'])
      if (params.get(f)) q.set(f, params.get(f));
    if (params.get('error') === 'true') q.set('error', 'true');
    if (params.get('since')) q.set('from', String(Date.now() - Number(params.get('since'))));
    const page = await api(`/api/search?${q}`);

    const input = (name, label, extra) =>
      el('label', {}, label, el('input', { name, value: params.get(name) || '', ...extra }));
    const serviceSelect = el(
      'select',
      { name: 'service' },
      el('option', { value: '' }, 'all services'),
      services.map((s) => el('option', { value: s.name, selected: params.get('service') === s.name }, s.name)),
    );
    const sinceSelect = el(
      'select',
      { name: 'since' },
      Object.entries(SINCE).map(([v, text]) =>
        el('option', { value: v, selected: (params.get('since') || '') === v }, text),
      ),
    );
    const form = el(
      'form',
      {
        class: 'search',
        id: 'search',
        onsubmit: (e) => {
          e.preventDefault();
          const data = new FormData(form);
          const next = new URLSearchParams();
          for (const f of FIELDS) {
            const v = data.get(f);
            if (f === 'error' ? v === 'on' : v) next.set(f, f === 'error' ? 'true' : String(v));
          }
          location.hash = `#/traces?${next}`;
        },
      },
      el('label', {}, 'Service', serviceSelect),
      input('endpoint', 'Endpoint (* wildcard)', { size: 24 }),
      input('traceId', 'Trace id', { size: 34 }),
      input('minDuration', 'Min duration (ms)', { size: 8, inputmode: 'numeric' }),
      el('label', {}, 'Started', sinceSelect),
      el(
        'label',
        {},
        'Errors only',
        el('input', { type: 'checkbox', name: 'error', checked: params.get('error') === 'true' }),
      ),
      el('button', { type: 'submit' }, 'Search'),
    );

    const rows = page.traces.map((t) =>
      el(
        'tr',
        {
          class: 'row trace-row',
          'data-trace-id': t.traceId,
          onclick: (e) => {
            if (!e.target.closest('a')) location.hash = `#/trace/${encodeURIComponent(t.traceId)}`;
          },
        },
        el('td', { class: 'mono' }, time(t.startTime)),
        el(
          'td',
          {},
          el(
            'a',
            { href: `#/trace/${encodeURIComponent(t.traceId)}`, class: 'endpoint' },
            t.rootEndpoint || '(no endpoint)',
          ),
          t.error ? el('span', { class: 'badge error' }, 'error') : null,
        ),
        el('td', { class: 'services' }, t.services.join(', ')),
        el('td', {}, ms(t.durationMs)),
        el('td', { class: 'size' }, `${plural(t.spans, 'span')} / ${plural(t.segments, 'segment')}`),
        el('td', { class: 'mono muted' }, t.traceId),
      ),
    );
    const offset = page.offset;
    const pager = el(
      'div',
      { class: 'pager' },
      `${page.total} trace${page.total === 1 ? '' : 's'}`,
      offset > 0
        ? el('a', { href: `#/traces?${withParam(params, 'offset', Math.max(0, offset - page.limit))}` }, '← newer')
        : null,
      offset + page.limit < page.total
        ? el('a', { href: `#/traces?${withParam(params, 'offset', offset + page.limit)}` }, 'older →')
        : null,
    );
    show(
      form,
      page.traces.length
        ? el(
            'table',
            { id: 'traces' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['Start (UTC)', 'Endpoint', 'Services', 'Duration', 'Size', 'Trace id'].map((h) => el('th', {}, h)),
              ),
            ),
            el('tbody', {}, rows),
          )
        : el('p', { class: 'empty', id: 'no-traces' }, 'No trace matches.'),
      pager,
    );
  }

  function withParam(params, name, value) {
    const p = new URLSearchParams(params);
    p.set(name, String(value));
    return p;
  }

  // ---------------------------------------------------------------- one trace
  async function traceView(traceId) {
    const t = await api(traceApi(traceId));
    const spans = t.spans || [];
    const logs = Array.isArray(t.logs) ? t.logs : [];
    const total = Math.max(1, ...spans.map((s) => s.offsetMs + s.durationMs));
    // each log under the span it names (segment id + span id); the rest apart, as the CLI prints them
    const spanIds = new Set(spans.map((s) => s.id));
    const logsOf = new Map();
    const loose = [];
    for (const l of logs) {
      const key =
        l.traceContext && l.traceContext.traceSegmentId
          ? `${l.traceContext.traceSegmentId}-${l.traceContext.spanId}`
          : '';
      if (!spanIds.has(key)) {
        loose.push(l);
        continue;
      }
      if (!logsOf.has(key)) logsOf.set(key, []);
      logsOf.get(key).push(l);
    }
    const matched = logs.filter((l) => !loose.includes(l));
    const startOf = Math.min(...spans.map((s) => s.offsetMs)) || 0;
    const traceStart = t.startTime || 0;
    const details = el(
      'div',
      { class: 'details', id: 'details' },
      el('span', { class: 'muted' }, 'Select a span to see its tags and logs.'),
    );
    let selected;

    const rows = spans.map((s) => {
      const bar = el('div', {
        class: `wf-bar${s.isError ? ' error' : ''}`,
        style: { left: `${((s.offsetMs - startOf) / total) * 100}%`, width: `${(s.durationMs / total) * 100}%` },
      });
      // the duration after the bar, or before its end when the bar reaches the right edge
      const end = ((s.offsetMs - startOf + s.durationMs) / total) * 100;
      const label = el(
        'div',
        end > 85
          ? { class: 'wf-label inside', style: { right: `calc(${100 - end}% + 4px)` } }
          : { class: 'wf-label', style: { left: `calc(${end}% + 4px)` } },
        ms(s.durationMs),
      );
      const marks = (logsOf.get(s.id) || []).map((l) =>
        el('div', {
          class: 'wf-log-mark',
          title: 'log',
          style: { left: `${Math.min(100, Math.max(0, ((l.timestamp - traceStart) / total) * 100))}%` },
        }),
      );
      const row = el(
        'div',
        {
          class: 'wf-row span-row',
          'data-span-id': s.id,
          'data-depth': s.depth,
          onclick: () => {
            if (selected) selected.classList.remove('selected');
            selected = row;
            row.classList.add('selected');
            details.replaceChildren(...present(spanDetails(s, logsOf.get(s.id) || [])));
          },
        },
        el(
          'div',
          { class: 'wf-name', style: { paddingLeft: `${6 + Math.min(s.depth, 60) * 14}px` } },
          el('span', { class: 'wf-service' }, s.service),
          el('span', { class: 'wf-op' }, s.operationName),
          el('span', { class: 'badge type' }, s.type),
          s.layer && s.layer !== 'Unknown' ? el('span', { class: 'badge' }, s.layer) : null,
          s.component ? el('span', { class: 'badge' }, s.component) : null,
          s.link
            ? el('span', { class: 'badge link' }, s.link === 'CrossThread' ? '⇢ cross-thread' : '⇢ cross-process')
            : null,
          s.peer ? el('span', { class: 'muted' }, ` → ${s.peer}`) : null,
          s.isError ? el('span', { class: 'badge error' }, 'error') : null,
          s.missingParent ? el('span', { class: 'badge error' }, `parent not received: ${s.missingParent}`) : null,
        ),
        el('div', { class: 'wf-bar-cell' }, bar, label, marks),
      );
      return row;
    });

    const problems = (t.problems || []).map((p) => el('li', {}, `${p.service}: ${p.message}`));
    show(
      el(
        'div',
        { class: 'trace-head' },
        el('h2', {}, t.rootEndpoint || traceId),
        el(
          'div',
          { class: 'muted' },
          el('span', { class: 'mono', id: 'trace-id' }, traceId),
          ` · ${ms(t.durationMs)} · ${plural(spans.length, 'span')} in ${plural(Array.isArray(t.segments) ? t.segments.length : t.segments, 'segment')} · ${(t.services || []).join(', ')}`,
        ),
        problems.length ? el('ul', { class: 'err', id: 'trace-problems' }, problems) : null,
      ),
      el('div', { class: 'waterfall' }, timeAxis(total), el('div', { id: 'waterfall' }, rows)),
      details,
      matched.length
        ? el('div', { class: 'logs', id: 'trace-logs' }, el('h3', {}, `Logs (${matched.length})`), logTable(matched))
        : null,
      loose.length
        ? el(
            'div',
            { class: 'logs unmatched', id: 'unmatched-logs' },
            el('h3', {}, `Logs not matching a span of this trace (${loose.length})`),
            el(
              'p',
              { class: 'muted' },
              'Their trace context names this trace but a segment or span that was not received (or not yet).',
            ),
            logTable(loose, true),
          )
        : null,
    );
  }

  /** The waterfall's first row: a time axis over the bars (0 at the trace's start). */
  function timeAxis(total) {
    return el(
      'div',
      { class: 'wf-row wf-axis', id: 'wf-axis' },
      el('div', { class: 'wf-name muted' }, 'time since the trace started'),
      el(
        'div',
        { class: 'wf-bar-cell' },
        ticks(total).map((t) =>
          el(
            'span',
            { class: `wf-tick${t / total > 0.9 ? ' end' : ''}`, style: { left: `${(t / total) * 100}%` } },
            ms(t),
          ),
        ),
      ),
    );
  }

  function spanDetails(s, logs) {
    const kv = (k, v) => el('tr', {}, el('td', {}, k), el('td', { class: 'mono' }, v));
    const rows = [
      kv('service', `${s.service} (${s.serviceInstance})`),
      kv('operation', s.operationName),
      kv(
        'span',
        `${s.type}${s.layer && s.layer !== 'Unknown' ? `, ${s.layer}` : ''}${s.component ? `, ${s.component}` : ''}`,
      ),
      kv('segment / span id', `${s.segmentId} / ${s.spanId}`),
      s.peer ? kv('peer', s.peer) : null,
      kv('start offset', ms(s.offsetMs)),
      kv('duration', ms(s.durationMs)),
      ...s.tags.map((t) => el('tr', {}, el('td', {}, t.key), el('td', {}, longText(t.value)))),
    ];
    const spanLogs = s.logs.map((l) =>
      el(
        'tr',
        {},
        el('td', {}, `+${ms(l.offsetMs)}`),
        el('td', {}, longText(l.data.map((d) => `${d.key}=${d.value}`).join('\n'))),
      ),
    );
    return [
      el('h3', {}, s.operationName),
      el('table', { class: 'kv', id: 'span-tags' }, rows),
      spanLogs.length ? el('h3', {}, 'Span logs') : null,
      spanLogs.length ? el('table', { class: 'kv', id: 'span-logs' }, spanLogs) : null,
      logs.length ? el('h3', {}, 'Logs written in this span') : null,
      logs.length ? logTable(logs) : null,
    ];
  }

  function logContent(l) {
    const b = l.body || {};
    if (typeof l.content === 'string') return l.content;
    if (b.text) return b.text.text;
    if (b.json) return b.json.json;
    if (b.yaml) return b.yaml.yaml;
    return '';
  }

  function logTable(logs, unmatched) {
    return el(
      'table',
      { class: 'log-table' },
      el(
        'colgroup',
        {},
        ['c-time', 'c-service', 'c-endpoint', 'c-tags', 'c-content'].map((c) => el('col', { class: c })),
      ),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Time (UTC)', 'Service', 'Endpoint', 'Tags', 'Content'].map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        logs.map((l) => {
          const tags = (l.tags && l.tags.data) || l.tags || [];
          return el(
            'tr',
            { class: `log-row${unmatched ? ' unmatched' : ''}` },
            el(
              'td',
              { class: 'mono' },
              time(l.timestamp),
              unmatched ? el('span', { class: 'badge warn', title: 'names no span of this trace' }, 'no span') : null,
            ),
            el('td', {}, l.service || ''),
            el('td', {}, l.endpoint || ''),
            el('td', { class: 'mono' }, Array.isArray(tags) ? tags.map((t) => `${t.key}=${t.value}`).join(' ') : ''),
            el('td', { class: 'content-cell' }, longText(logContent(l))),
          );
        }),
      ),
    );
  }

  // ---------------------------------------------------------------- topology
  async function topologyView() {
    const topo = await api('/api/topology');
    if (!topo.nodes.length) return show(el('p', { class: 'empty', id: 'no-topology' }, 'No services yet.'));
    // columns by the longest call path from a node nobody calls (iterative; cycles cut)
    const depth = new Map(topo.nodes.map((n) => [n.name, 0]));
    for (let round = 0; round < topo.nodes.length; round++) {
      let changed = false;
      for (const e of topo.edges) {
        const d = depth.get(e.source) + 1;
        if (e.source !== e.target && d > depth.get(e.target) && d < topo.nodes.length) {
          depth.set(e.target, d);
          changed = true;
        }
      }
      if (!changed) break;
    }
    const columns = [];
    for (const n of topo.nodes) (columns[depth.get(n.name)] ||= []).push(n);
    const W = 170;
    const H = 40;
    const GX = 150;
    const GY = 36;
    const pos = new Map();
    const TOP = topo.edges.some((e) => e.source === e.target) ? 56 : 20;
    columns.forEach((col, c) =>
      col.forEach((n, r) => pos.set(n.name, { x: 20 + c * (W + GX), y: TOP + r * (H + GY) })),
    );
    const width = 40 + columns.length * (W + GX);
    const height = TOP + 20 + Math.max(...columns.map((c) => (c ? c.length : 0))) * (H + GY);
    const svg = el('svg:svg', { class: 'graph', id: 'topology', viewBox: `0 0 ${width} ${height}`, height });
    svg.append(
      el(
        'svg:defs',
        {},
        el(
          'svg:marker',
          { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto' },
          el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: '#98a1b3' }),
        ),
      ),
    );
    for (const e of topo.edges) {
      const a = pos.get(e.source);
      const b = pos.get(e.target);
      if (!a || !b) continue;
      if (e.source === e.target) {
        svg.append(selfLoop(e, a, W));
        continue;
      }
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x;
      const y2 = b.y + H / 2;
      const back = x2 <= x1;
      const d = back
        ? `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + 40} ${b.x + W / 2},${b.y + H + 40} ${b.x + W / 2},${b.y + H}`
        : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
      const label = edgeLabel(e);
      svg.append(
        el(
          'svg:g',
          { class: 'edge-group', 'data-source': e.source, 'data-target': e.target },
          el('svg:path', { class: 'edge', d, 'marker-end': 'url(#arrow)' }),
          el(
            'svg:text',
            {
              class: 'edge-label',
              'text-anchor': 'middle',
              x: back ? (a.x + b.x + W) / 2 : (x1 + x2) / 2,
              y: back ? Math.max(a.y, b.y) + H + 36 : (y1 + y2) / 2 - 6,
            },
            label,
          ),
        ),
      );
    }
    for (const n of topo.nodes) {
      const p = pos.get(n.name);
      const kind = n.layer === 'USER' ? 'user' : n.real ? 'service' : 'virtual';
      const g = el(
        'svg:g',
        {
          class: `node ${kind}`,
          'data-name': n.name,
          transform: `translate(${p.x},${p.y})`,
          onclick: () => (location.hash = `#/traces?service=${encodeURIComponent(n.name)}`),
        },
        el('svg:rect', { width: W, height: H, rx: 6 }),
        el('svg:text', { x: 8, y: 17 }, n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name),
        el('svg:text', { x: 8, y: 32, class: 'edge-label' }, n.type || n.layer),
        el('svg:title', {}, `${n.name} (${n.layer})`),
      );
      svg.append(g);
    }
    show(el('p', { class: 'muted' }, 'Click a service to list its traces.'), svg);
  }

  function edgeLabel(e) {
    return [e.calls !== undefined ? plural(e.calls, 'call') : '', (e.components || []).join(', ')]
      .filter(Boolean)
      .join(' · ');
  }

  /** A service calling itself: a loop leaving and entering its node's top edge, the label above it. */
  function selfLoop(e, p, W) {
    const x1 = p.x + W * 0.6;
    const x2 = p.x + W * 0.85;
    const d = `M${x1},${p.y} C${x1 - 10},${p.y - 34} ${x2 + 10},${p.y - 34} ${x2},${p.y}`;
    return el(
      'svg:g',
      { class: 'edge-group self-call', 'data-source': e.source, 'data-target': e.target },
      el('svg:path', { class: 'edge', d, 'marker-end': 'url(#arrow)' }),
      el('svg:text', { class: 'edge-label', 'text-anchor': 'middle', x: (x1 + x2) / 2, y: p.y - 30 }, edgeLabel(e)),
      el('svg:title', {}, `${e.source} calls itself`),
    );
  }

  // ---------------------------------------------------------------- problems
  async function problemsView() {
    const problems = await api('/api/problems');
    if (!problems.length) return show(el('p', { class: 'empty', id: 'no-problems' }, 'No problems found.'));
    show(
      el(
        'table',
        { id: 'problems' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Service', 'Problem', 'Trace'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          problems.map((p) =>
            el(
              'tr',
              { class: 'problem-row' },
              el('td', {}, p.service),
              el('td', {}, longText(p.message)),
              el('td', {}, el('a', { class: 'mono', href: `#/trace/${encodeURIComponent(p.traceId)}` }, p.traceId)),
            ),
          ),
        ),
      ),
    );
  }

  async function refreshStatus() {
    try {
      const h = await api('/healthz');
      status.textContent = `${h.segments} segments stored`;
    } catch {
      status.textContent = 'collector unreachable';
    }
  }

  window.addEventListener('hashchange', route);
  route();
  refreshStatus();
})();
