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
          onclick: () => (location.hash = `#/trace/${encodeURIComponent(t.traceId)}`),
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
        el('td', {}, `${t.spans} spans / ${t.segments} segments`),
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
    const t = await api(`/api/traces/${encodeURIComponent(traceId)}`);
    const spans = t.spans || [];
    const logs = Array.isArray(t.logs) ? t.logs : [];
    const total = Math.max(1, ...spans.map((s) => s.offsetMs + s.durationMs));
    const logsOf = new Map();
    for (const l of logs) {
      const key =
        l.traceContext && l.traceContext.traceSegmentId
          ? `${l.traceContext.traceSegmentId}-${l.traceContext.spanId}`
          : '';
      if (!logsOf.has(key)) logsOf.set(key, []);
      logsOf.get(key).push(l);
    }
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
      const label = el(
        'div',
        { class: 'wf-label', style: { left: `calc(${((s.offsetMs - startOf + s.durationMs) / total) * 100}% + 4px)` } },
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
          ` · ${ms(t.durationMs)} · ${spans.length} spans in ${Array.isArray(t.segments) ? t.segments.length : t.segments} segments · ${(t.services || []).join(', ')}`,
        ),
        problems.length ? el('ul', { class: 'err', id: 'trace-problems' }, problems) : null,
      ),
      el('div', { class: 'waterfall', id: 'waterfall' }, rows),
      details,
      logs.length
        ? el('div', { class: 'logs', id: 'trace-logs' }, el('h3', {}, `Logs (${logs.length})`), logTable(logs))
        : null,
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
      ...s.tags.map((t) => kv(t.key, t.value)),
    ];
    const spanLogs = s.logs.map((l) =>
      el(
        'tr',
        {},
        el('td', {}, `+${ms(l.offsetMs)}`),
        el('td', { class: 'mono' }, l.data.map((d) => `${d.key}=${d.value}`).join('\n')),
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

  function logTable(logs) {
    return el(
      'table',
      { class: 'log-table' },
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
            { class: 'log-row' },
            el('td', { class: 'mono' }, time(l.timestamp)),
            el('td', {}, l.service || ''),
            el('td', {}, l.endpoint || ''),
            el('td', { class: 'mono' }, Array.isArray(tags) ? tags.map((t) => `${t.key}=${t.value}`).join(' ') : ''),
            el('td', {}, el('pre', { class: 'content mono' }, logContent(l))),
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
    columns.forEach((col, c) => col.forEach((n, r) => pos.set(n.name, { x: 20 + c * (W + GX), y: 20 + r * (H + GY) })));
    const width = 40 + columns.length * (W + GX);
    const height = 40 + Math.max(...columns.map((c) => (c ? c.length : 0))) * (H + GY);
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
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x;
      const y2 = b.y + H / 2;
      const back = x2 <= x1;
      const d = back
        ? `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + 40} ${b.x + W / 2},${b.y + H + 40} ${b.x + W / 2},${b.y + H}`
        : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
      const label = [
        e.calls !== undefined ? `${e.calls} call${e.calls === 1 ? '' : 's'}` : '',
        (e.components || []).join(', '),
      ]
        .filter(Boolean)
        .join(' · ');
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
              el('td', {}, p.message),
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
