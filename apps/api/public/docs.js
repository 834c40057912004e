// The API documentation viewer: fetches /docs/openapi.json and renders every operation by
// tag — parameters, request body, responses with headers and schemas (as a readable type
// tree, the raw JSON Schema one click away). A few dozen lines instead of Swagger UI: no CDN,
// nothing to download, works offline. Text from the document is set with textContent; the
// one bit of Markdown (the intro) is escaped before its `code` and **bold** are marked up.
'use strict';

const $ = (id) => document.getElementById(id);
let doc;

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

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Paragraphs with `code` and **bold**, from escaped text only. */
function markdown(text) {
  const box = el('div');
  for (const para of (text || '').split(/\n\s*\n/)) {
    const p = el('p');
    p.innerHTML = escapeHtml(para)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
    box.append(p);
  }
  return box;
}

function resolve(schema) {
  let s = schema;
  for (let i = 0; s && s.$ref && i < 10; i++) s = s.$ref.split('/').slice(1).reduce((o, k) => o && o[k], doc);
  return s || {};
}

const refName = (schema) => (schema && schema.$ref ? schema.$ref.split('/').pop() : '');

/** One line describing a schema's type and constraints. */
function typeOf(schema) {
  const s = resolve(schema);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map(typeOf).join(' | ');
  const facts = [];
  if (s.pattern) facts.push(`pattern ${s.pattern}`);
  if (s.minLength !== undefined) facts.push(`≥ ${s.minLength} chars`);
  if (s.maxLength !== undefined) facts.push(`≤ ${s.maxLength} chars`);
  if (s.minimum !== undefined) facts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) facts.push(`≤ ${s.maximum}`);
  if (s.default !== undefined) facts.push(`default ${JSON.stringify(s.default)}`);
  let t = s.type || (s.properties ? 'object' : 'any');
  if (t === 'array') t = `array of ${typeOf(s.items || {})}`;
  if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) t = `map of ${typeOf(s.additionalProperties)}`;
  const name = refName(schema);
  return [name ? `${name} (${t})` : t, ...facts].join(', ');
}

/** The schema as a tree of properties, nested objects expanded a few levels deep. */
function schemaTree(schema, depth = 0) {
  const s = resolve(schema);
  const target = s.type === 'array' ? resolve(s.items) : s;
  const box = el('div', { class: 'schema' }, el('div', { text: typeOf(schema) }));
  if (target.properties && depth < 4) {
    const required = new Set(target.required || []);
    const ul = el('ul');
    for (const [name, prop] of Object.entries(target.properties)) {
      const p = resolve(prop);
      const li = el(
        'li',
        {},
        el('span', { text: name }),
        required.has(name) ? el('span', { class: 'req', text: ' *' }) : null,
        el('span', { text: `: ${typeOf(prop)}` }),
        p.description ? el('span', { class: 'desc', text: ` — ${p.description}` }) : null,
      );
      const inner = p.type === 'array' ? resolve(p.items) : p;
      if (inner.properties) li.append(schemaTree(prop, depth + 1));
      ul.append(li);
    }
    box.append(ul);
  }
  if (depth === 0) box.append(el('details', {}, el('summary', { text: 'JSON Schema' }), el('pre', { text: JSON.stringify(s, null, 2) })));
  return box;
}

function parametersTable(parameters) {
  const rows = parameters.map(resolve).map((p) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', { text: p.name }), p.required ? el('span', { class: 'req', text: ' *' }) : null),
      el('td', { text: p.in }),
      el('td', { class: 'mono', text: typeOf(p.schema || {}) }),
      el('td', { text: p.description || '' }),
    ),
  );
  return el('table', {}, el('thead', {}, el('tr', {}, ...['name', 'in', 'type', 'description'].map((h) => el('th', { text: h })))), el('tbody', {}, ...rows));
}

function responseBlock(status, response) {
  const r = resolve(response);
  const box = el('div', {}, el('strong', { text: status }), el('span', { text: ` ${r.description || ''}` }));
  const headers = Object.keys(r.headers || {});
  if (headers.length) box.append(el('div', { class: 'note', text: `headers: ${headers.join(', ')}` }));
  for (const [type, media] of Object.entries(r.content || {})) {
    box.append(el('div', { class: 'note' }, el('code', { text: type })), media.schema ? schemaTree(media.schema) : null);
  }
  return box;
}

function operation(path, method, op) {
  const section = el(
    'section',
    { class: 'op', id: op.operationId },
    el('h3', {}, el('span', { class: `method ${method}`, text: method.toUpperCase() }), el('code', { text: path }), el('span', { text: op.summary || '' })),
  );
  if (op.description) section.append(markdown(op.description));
  if (op.parameters && op.parameters.length) section.append(el('h4', { text: 'Parameters' }), parametersTable(op.parameters));
  if (op.requestBody) {
    section.append(el('h4', { text: 'Request body' }));
    for (const [type, media] of Object.entries(resolve(op.requestBody).content || {})) section.append(el('div', { class: 'note' }, el('code', { text: type })), schemaTree(media.schema));
  }
  section.append(el('h4', { text: 'Responses' }));
  for (const [status, response] of Object.entries(op.responses || {})) section.append(responseBlock(status, response));
  return section;
}

function render() {
  document.title = `${doc.info.title} ${doc.info.version} — docs`;
  $('intro').replaceChildren(el('h2', { text: `${doc.info.title} ${doc.info.version} (OpenAPI ${doc.openapi})` }), markdown(doc.info.description));
  const byTag = new Map((doc.tags || []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  const toc = [];
  const ops = [];
  for (const [tag, list] of byTag) {
    if (!list.length) continue;
    toc.push(el('h3', { text: tag }));
    ops.push(el('h2', { id: `tag-${tag}`, text: tag }));
    for (const { path, method, op } of list) {
      toc.push(el('a', { href: `#${op.operationId}`, title: `${method.toUpperCase()} ${path}` }, el('span', { class: `method ${method}`, text: method.toUpperCase() }), ` ${op.summary || path}`));
      ops.push(operation(path, method, op));
    }
  }
  $('toc').replaceChildren(...toc);
  $('operations').replaceChildren(...ops);
  $('status').textContent = `${ops.filter((o) => o.tagName === 'SECTION').length} operations`;
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

fetch('/docs/openapi.json', { headers: { accept: 'application/json' } })
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${r.status} ${r.statusText}`))))
  .then((d) => {
    doc = d;
    render();
  })
  .catch((err) => {
    $('status').textContent = `cannot load the OpenAPI document: ${err.message}`;
    $('status').classList.add('error');
  });
