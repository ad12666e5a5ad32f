// Building DOM nodes. Text from the data is always set as text (createTextNode/textContent),
// never parsed as HTML: this module has no innerHTML anywhere.

// h('a', {href: '#/x', class: 'c'}, 'text', childNode, [more, children])
// Attributes: `class`, `text` (textContent), `on<event>` functions, `dataset` object, booleans
// (set when true), everything else with setAttribute (values converted to strings).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = String(value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

// Text from the data (a name, a title) in a direction of its own: an inline isolate
// (dir="auto", the direction of its first strong letter), so that a right-to-left name reads
// right to left, and neither it nor the text around it is reordered by the other (to the text
// around it, an isolate is one neutral character).
export function isolated(text, attrs = {}) {
  return h('span', {...attrs, dir: 'auto', text});
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function loading(label = 'Loading…') {
  return h('p', {class: 'loading', role: 'status'}, label);
}

export function empty(message) {
  return h('p', {class: 'empty', role: 'status'}, message);
}

export function errorBox(error) {
  const notFound = error && error.status === 404;
  return h('div', {class: 'error', role: 'alert'},
    h('h2', {text: notFound ? 'Not found' : 'Something went wrong'}),
    h('p', {text: notFound
      ? 'This page does not exist, or it is not one you may see.'
      : (error && error.message) || String(error)}));
}
