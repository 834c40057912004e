// The fleet page's script: polls the public API every 2 s and renders hosts (status, pool
// usage), the selected host's namespaces with snapshot counts, and the selected namespace's
// snapshot tree (parent → children). Plain DOM, no framework; every user-supplied string
// (keys, labels) goes in through textContent, never as HTML. The selection lives in the URL
// hash (#host=…&ns=…), so a view can be linked to and survives a reload.
'use strict';

const POLL_MS = 2000;
/** Snapshots read per namespace for the tree: enough for a person to look at, bounded per poll. */
const MAX_TREE = 5000;
const PAGE = 1000;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function selection() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { host: p.get('host') || '', ns: p.get('ns') || '' };
}

function select(host, ns) {
  const p = new URLSearchParams();
  if (host) p.set('host', host);
  if (ns) p.set('ns', ns);
  location.hash = p.toString();
}

/** A 401/403: the page shows the sign-in form instead of an error line. */
class AuthError extends Error {}

// The API reads the token from this cookie for GET requests only (see apps/api auth-hook).
const TOKEN_COOKIE = 'snapfleet_token';

function setToken(token) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = token
    ? `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; SameSite=Strict${secure}`
    : `${TOKEN_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict${secure}`;
}

// `no-cache`: the browser asks every time, sending the ETag of the answer it kept, and an
// unchanged host list or page comes back as a bodiless 304 (the API's conditional GET).
async function getJson(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-cache', credentials: 'same-origin' });
  const body = await r.json().catch(() => undefined);
  const message = (body && body.detail) || `${r.status} ${r.statusText} for ${path}`;
  if (r.status === 401 || r.status === 403) throw new AuthError(message);
  if (!r.ok) throw new Error(message);
  return body;
}

function showSignin(message) {
  $('signin').hidden = false;
  $('signout').hidden = true;
  for (const id of ['hosts', 'host-detail']) $(id).closest('section').hidden = true;
  $('signin-error').textContent = message || '';
}

function hideSignin() {
  $('signin').hidden = true;
  $('signout').hidden = false;
  $('hosts').closest('section').hidden = false;
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}

function age(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

function poolCell(h) {
  const used = Math.max(0, h.sizeBytes - h.freeBytes);
  const pct = h.sizeBytes > 0 ? Math.min(100, (used / h.sizeBytes) * 100) : 0;
  const fill = el('div', { class: `fill${pct >= 95 ? ' full' : pct >= 80 ? ' high' : ''}` });
  fill.style.width = `${pct.toFixed(1)}%`;
  return el(
    'div',
    { class: 'pool', title: `${bytes(h.freeBytes)} free of ${bytes(h.sizeBytes)}` },
    el('div', { class: 'bar', role: 'meter', 'aria-valuenow': pct.toFixed(1), 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill),
    el('span', { text: `${bytes(used)} / ${bytes(h.sizeBytes)} (${pct.toFixed(0)}%)` }),
  );
}

function renderHosts(hosts, selected) {
  const rows = hosts.map((h) => {
    const state = h.status === 'up' && h.draining ? 'draining' : h.status;
    const tr = el(
      'tr',
      { 'data-host': h.id, 'data-status': state, 'aria-selected': String(h.id === selected) },
      el('td', {}, el('code', { text: h.id })),
      el('td', {}, el('span', { class: `badge ${state}`, text: state })),
      el('td', { text: String(h.workers) }),
      el('td', {}, poolCell(h)),
      el('td', { text: age(h.heartbeatAt), title: h.heartbeatAt || '' }),
      el('td', { text: h.version }),
    );
    tr.addEventListener('click', () => select(h.id, ''));
    return tr;
  });
  $('hosts').tBodies[0].replaceChildren(...rows);
  $('no-hosts').hidden = hosts.length > 0;
}

function renderNamespaces(host, namespaces, selectedNs) {
  $('host-name').textContent = host;
  const items = namespaces.map((n) => {
    const li = el('li', { 'data-ns': n.name, 'aria-selected': String(n.name === selectedNs) }, el('span', { text: n.name }), el('span', { class: 'count', text: String(n.count) }));
    li.addEventListener('click', () => select(host, n.name));
    return li;
  });
  $('namespaces').replaceChildren(...items);
  $('no-namespaces').hidden = namespaces.length > 0;
}

async function loadSnapshots(host, ns) {
  const base = `/v1/namespaces/${encodeURIComponent(ns)}/hosts/${encodeURIComponent(host)}/snapshots?limit=${PAGE}`;
  const out = [];
  let after;
  do {
    const page = await getJson(after === undefined ? base : `${base}&after=${encodeURIComponent(after)}`);
    out.push(...page.snapshots);
    after = page.next;
  } while (after !== undefined && out.length < MAX_TREE);
  return { snapshots: out, truncated: after !== undefined };
}

function treeNode(s, children) {
  const labels = Object.keys(s.labels || {}).length;
  const li = el(
    'li',
    { 'data-key': s.name, 'data-kind': s.kind },
    el(
      'span',
      { class: 'node', title: `created ${s.created}` },
      el('span', { class: `kind ${s.kind}`, text: s.kind }),
      el('code', { text: s.name }),
      labels ? el('span', { class: 'labels', text: `${labels} label${labels > 1 ? 's' : ''}` }) : null,
    ),
  );
  const kids = children.get(s.name);
  if (kids) li.append(el('ul', { class: 'tree' }, ...kids.map((k) => treeNode(k, children))));
  return li;
}

function renderTree(ns, { snapshots, truncated }) {
  $('ns-name').textContent = ns;
  const names = new Set(snapshots.map((s) => s.name));
  const children = new Map();
  const roots = [];
  for (const s of [...snapshots].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    // A parent outside the loaded page is shown as a root, so nothing is hidden.
    if (s.parent !== undefined && names.has(s.parent)) {
      if (!children.has(s.parent)) children.set(s.parent, []);
      children.get(s.parent).push(s);
    } else roots.push(s);
  }
  const tree = roots.length ? el('ul', { class: 'tree' }, ...roots.map((r) => treeNode(r, children))) : el('p', { class: 'empty', text: 'No snapshots.' });
  $('tree').replaceChildren(tree);
  $('tree-note').textContent = truncated ? `Showing the first ${snapshots.length} snapshots.` : `${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'}.`;
}

async function refresh() {
  const { host, ns } = selection();
  const { hosts } = await getJson('/v1/hosts');
  renderHosts(hosts, host);
  $('host-detail').hidden = !host;
  if (!host) return;
  const { namespaces } = await getJson(`/v1/hosts/${encodeURIComponent(host)}/namespaces`);
  // No namespace chosen yet: the default one, else the first that has snapshots.
  const current = ns || (namespaces.some((n) => n.name === 'default') ? 'default' : namespaces[0] && namespaces[0].name) || '';
  renderNamespaces(host, namespaces, current);
  if (current) renderTree(current, await loadSnapshots(host, current));
  else $('tree').replaceChildren(el('p', { class: 'empty', text: 'No snapshots.' }));
}

let timer;
let running = false;
/** A selection changed during a refresh: refresh again right after it. */
let again = false;

async function tick() {
  clearTimeout(timer);
  if (running) {
    again = true;
    return;
  }
  running = true;
  again = false;
  const status = $('status');
  try {
    if (!document.hidden) {
      await refresh();
      hideSignin();
      status.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
      status.classList.remove('error');
    }
  } catch (err) {
    if (err instanceof AuthError) {
      showSignin(document.cookie.includes(`${TOKEN_COOKIE}=`) ? err.message : '');
      status.textContent = 'signed out';
      status.classList.remove('error');
      return;
    }
    status.textContent = `cannot refresh: ${err.message}`;
    status.classList.add('error');
  } finally {
    running = false;
    timer = setTimeout(tick, again ? 0 : POLL_MS);
  }
}

$('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setToken($('token').value.trim());
  $('token').value = '';
  tick();
});
$('signout').addEventListener('click', () => {
  setToken('');
  tick();
});
window.addEventListener('hashchange', tick);
document.addEventListener('visibilitychange', () => document.hidden || tick());
tick();
