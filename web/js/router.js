// Every state of the UI lives in the URL's fragment: "#/courses/python?sort=mastery&order=desc".
// A copied link opens the same page, sort, filter and page; Back and Forward work because each
// change is a new history entry (location.hash), and the page re-renders on hashchange.

export function current() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const at = hash.indexOf('?');
  const pathPart = at < 0 ? hash : hash.slice(0, at);
  const params = new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
  const segments = pathPart.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return {path: '/' + segments.map(encodeURIComponent).join('/'), segments, params};
}

// href(['courses', 'a b'], {sort: 'name'}) -> "#/courses/a%20b?sort=name". Parameters that are
// undefined, null or '' are left out; arrays become repeated parameters.
export function href(segments, params = {}) {
  const q = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)));
      else if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
  }
  const s = q.toString();
  return '#/' + segments.map(encodeURIComponent).join('/') + (s ? '?' + s : '');
}

// The current page with some parameters changed (null or '' removes one); a new history entry.
export function update(changes) {
  const {segments, params} = current();
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') params.delete(k);
    else if (Array.isArray(v)) {
      params.delete(k);
      v.forEach((x) => params.append(k, String(x)));
    } else params.set(k, String(v));
  }
  go(href(segments, params));
}

export function go(target) {
  if (location.hash === target) return;
  location.hash = target;
}

// Replaces the current entry (a redirect, not a step the person took).
export function replace(target) {
  history.replaceState(history.state, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
