/**
 * The local inspector's one page: the statechart's overview (diagrams/auth-overview.svg) with the
 * full chart (diagrams/auth-machine.svg) one click away, the current state highlighted live in both, the events with their timing, the redacted context, and
 * prev/next through the history. Self-contained (no CDN); inline script and style run under a
 * nonce-based CSP. The page writes data with textContent only, never as HTML.
 */

/** Graphviz output made fit for inlining: no XML prolog, doctype or comments, scales to the page. */
export function prepareSvg(svg: string, id = 'chart', label = 'The login statechart'): string {
  return svg
    .replace(/<\?xml[\s\S]*?\?>/g, '')
    .replace(/<!DOCTYPE[\s\S]*?>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/<svg\b([^>]*?)\swidth="[^"]*"/, '<svg$1')
    .replace(/<svg\b([^>]*?)\sheight="[^"]*"/, '<svg$1')
    .replace(/<svg\b/, `<svg id="${id}" class="chart" role="img" aria-label="${label}"`)
    .trim();
}

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #1d2330; color: #fff; }
  header h1 { font-size: 1rem; margin: 0; font-weight: 600; }
  #current { font-family: ui-monospace, monospace; }
  #description { padding: .4rem 1rem; margin: 0; background: #fffbea; border-bottom: 1px solid #d8dce3; min-height: 1.4em; }
  #connection { margin-left: auto; font-size: .85rem; opacity: .8; }
  #diagram { background: #fff; border-bottom: 1px solid #d8dce3; padding: .5rem; overflow-x: auto; }
  .chart { width: 100%; height: auto; display: block; }
  #overview { max-width: 56rem; margin: 0 auto; }
  #diagram[data-view=overview] #chart, #diagram[data-view=full] #overview { display: none; }
  #view { float: right; }
  .chart g.node.active polygon, .chart g.node.active ellipse, .chart g.node.active path { fill: #ffd65c; stroke: #b07800; stroke-width: 2.5; }
  #chart g.cluster.active > path, #chart g.cluster.active > polygon { stroke: #b07800; stroke-width: 2.5; fill: #fff8e0; }
  #controls { display: flex; gap: .5rem; align-items: center; padding: .5rem 1rem; }
  #controls input[type=range] { flex: 1; }
  button { font: inherit; padding: .2rem .8rem; }
  main { display: grid; grid-template-columns: minmax(18rem, 1fr) 2fr; gap: 1rem; padding: 0 1rem 1rem; }
  section h2 { font-size: .9rem; text-transform: uppercase; letter-spacing: .05em; color: #59616f; }
  #events { list-style: none; margin: 0; padding: 0; font-family: ui-monospace, monospace; font-size: 12.5px; max-height: 24rem; overflow-y: auto; background: #fff; border: 1px solid #d8dce3; }
  #events li { padding: .15rem .5rem; cursor: pointer; border-bottom: 1px solid #eef0f3; display: flex; gap: .75rem; }
  #events li .time { color: #59616f; min-width: 5.5rem; text-align: right; }
  #events li.selected { background: #ffe9a8; }
  #context { margin: 0; padding: .5rem; background: #fff; border: 1px solid #d8dce3; font-size: 12.5px; max-height: 24rem; overflow: auto; }
`;

// Client code. Kept free of backticks and template placeholders: it is embedded in a template.
const SCRIPT = `
(function () {
  'use strict';
  var steps = [];
  var shown = -1;
  var following = true;
  var body = document.body;
  var current = document.getElementById('current');
  var list = document.getElementById('events');
  var context = document.getElementById('context');
  var slider = document.getElementById('step');
  var position = document.getElementById('position');
  var connection = document.getElementById('connection');
  var description = document.getElementById('description');
  var descriptions = JSON.parse(document.getElementById('state-descriptions').textContent);

  // The deepest active state that has a description says what is happening now.
  function describe(ids) {
    var found = '';
    ids.forEach(function (id) {
      var parts = id.split('.');
      for (var i = parts.length; i >= 2 && !found; i--) found = descriptions[parts.slice(0, i).join('.')] || '';
    });
    return found;
  }

  function ancestors(ids) {
    var out = [];
    ids.forEach(function (id) {
      var parts = id.split('.');
      for (var i = 2; i <= parts.length; i++) out.push(parts.slice(0, i).join('.'));
    });
    return out;
  }

  // The full chart's boxes carry state ids; the overview's carry, as classes, every state id they fold in.
  var overview = document.getElementById('overview');
  function highlight(ids) {
    Array.prototype.forEach.call(document.querySelectorAll('.chart .active'), function (el) { el.classList.remove('active'); });
    ancestors(ids).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.classList.add('active');
      Array.prototype.forEach.call(overview.getElementsByClassName(id), function (box) { box.classList.add('active'); });
    });
  }

  var diagram = document.getElementById('diagram');
  var view = document.getElementById('view');
  view.addEventListener('click', function () {
    var full = diagram.getAttribute('data-view') === 'overview';
    diagram.setAttribute('data-view', full ? 'full' : 'overview');
    view.textContent = full ? 'Show the overview' : 'Show the full chart';
  });

  function show(index) {
    if (index < 0 || index >= steps.length) return;
    var step = steps[index];
    shown = index;
    highlight(step.stateIds);
    current.textContent = step.stateIds.join(', ') + ' (' + step.status + ')';
    description.textContent = describe(step.stateIds);
    context.textContent = JSON.stringify(step.context, null, 2);
    slider.max = String(steps.length - 1);
    slider.value = String(index);
    position.textContent = 'step ' + (index + 1) + ' of ' + steps.length + (following ? ' (live)' : '');
    Array.prototype.forEach.call(list.children, function (li, i) { li.classList.toggle('selected', i === index); });
    body.setAttribute('data-step', String(index));
    body.setAttribute('data-state', step.stateIds.join(' '));
  }

  function addStep(step) {
    steps.push(step);
    var li = document.createElement('li');
    var time = document.createElement('span');
    time.className = 'time';
    time.textContent = '+' + step.atMs + ' ms';
    var type = document.createElement('span');
    type.className = 'type';
    type.textContent = step.event.type;
    var target = document.createElement('span');
    target.className = 'target';
    target.textContent = '\\u2192 ' + step.stateIds.map(function (id) { return id.split('.').slice(1).join('.'); }).join(', ');
    li.appendChild(time);
    li.appendChild(type);
    li.appendChild(target);
    li.addEventListener('click', function () { following = false; show(step.index); });
    list.appendChild(li);
    slider.max = String(steps.length - 1);
    if (following) show(steps.length - 1); else show(shown);
  }

  function reset() {
    steps = [];
    shown = -1;
    following = true;
    while (list.firstChild) list.removeChild(list.firstChild);
    context.textContent = '';
    current.textContent = 'waiting for a flow';
    description.textContent = '';
    position.textContent = '';
    highlight([]);
    body.removeAttribute('data-state');
  }

  document.getElementById('prev').addEventListener('click', function () { following = false; show(Math.max(0, shown - 1)); });
  document.getElementById('next').addEventListener('click', function () {
    var next = Math.min(steps.length - 1, shown + 1);
    following = next === steps.length - 1;
    show(next);
  });
  document.getElementById('live').addEventListener('click', function () { following = true; show(steps.length - 1); });
  slider.addEventListener('input', function () {
    var index = Number(slider.value);
    following = index === steps.length - 1;
    show(index);
  });

  reset();
  var source = new EventSource('/events');
  source.addEventListener('open', function () { connection.textContent = 'connected'; body.setAttribute('data-connected', 'true'); });
  source.addEventListener('error', function () { connection.textContent = 'disconnected, retrying'; body.setAttribute('data-connected', 'false'); });
  source.addEventListener('reset', reset);
  source.addEventListener('step', function (message) { addStep(JSON.parse(message.data)); });
})();
`;

/** The two drawings of the statechart, as generated into diagrams/. */
export interface InspectorDiagrams {
  /** diagrams/auth-overview.svg: the design card's states; shown first. */
  overview: string;
  /** diagrams/auth-machine.svg: every state and transition. */
  full: string;
  /** Each state's `description:` from the machine, by state id. */
  descriptions: Record<string, string>;
}

/** JSON that can sit inside a <script> element: no "<" can close it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The whole page. The SVGs are our own diagram files (trusted markup); nothing else is interpolated but the nonce. */
export function renderInspectorPage(diagrams: InspectorDiagrams, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>authmachine inspector</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>authmachine inspector</h1><span id="current"></span><span id="connection">connecting</span></header>
<p id="description" aria-live="polite"></p>
<div id="diagram" data-view="overview"><button id="view" type="button">Show the full chart</button>${prepareSvg(diagrams.overview, 'overview', 'The login statechart, overview')}${prepareSvg(diagrams.full)}</div>
<div id="controls">
  <button id="prev" type="button" title="Previous step">&#9664; prev</button>
  <input id="step" type="range" min="0" max="0" value="0" aria-label="Step">
  <button id="next" type="button" title="Next step">next &#9654;</button>
  <button id="live" type="button" title="Follow the flow">live</button>
  <span id="position"></span>
</div>
<main>
  <section><h2>Events</h2><ol id="events"></ol></section>
  <section><h2>Context (secrets redacted)</h2><pre id="context"></pre></section>
</main>
<script type="application/json" id="state-descriptions">${scriptJson(diagrams.descriptions)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

/** The Content-Security-Policy that goes with a page rendered with `nonce`. */
export function inspectorPagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
