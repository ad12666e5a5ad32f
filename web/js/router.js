// Every state of the UI lives in the URL's fragment: "#/courses/python?sort=mastery&order=desc".
// A copied link opens the same page, sort, filter and page, and the page re-renders on
// hashchange. Going to another page, or another page of rows or filter, is a new history entry
// (location.hash), so Back returns to it; changing how the same rows are shown (the sort, the
// page size, the search) replaces the current entry, so that Back leaves the page rather than
// undoing each click (update(..., {replace: true})).

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

// The current page with some parameters changed (null or '' removes one): a new history entry,
// or with `replace` the current one changed in place.
export function update(changes, {replace: inPlace = false} = {}) {
  const {segments, params} = current();
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') params.delete(k);
    else if (Array.isArray(v)) {
      params.delete(k);
      v.forEach((x) => params.append(k, String(x)));
    } else params.set(k, String(v));
  }
  const target = href(segments, params);
  if (!inPlace) go(target);
  else if (location.hash !== target) replace(target);
}

export function go(target) {
  if (location.hash === target) return;
  saveScroll();  // where the person was on the page they leave, for Back
  location.hash = target;
}

// Replaces the current entry (a redirect, or a change Back should not undo). The entry keeps
// its state (its scroll positions).
export function replace(target) {
  history.replaceState(history.state, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

// ---- Scroll positions: Back and Forward return to where the person was on a page ----
// Each history entry keeps its scroll positions in history.state: the window's and each
// table's scroll box's (table.js), saved as the person scrolls and before a link or go() leaves
// the page. A page reached by Back, Forward or a reload (an entry that has them) is scrolled
// there once its view has loaded (app.js); a new page starts at the top.

const SCROLL_BOXES = '.table-scroll';
let saveTimer = 0;
let savePaused = false;

// Keeps the positions in the current entry (a page being left: always, even while it loads).
export function saveScroll() {
  clearTimeout(saveTimer);
  const scroll = {x: window.scrollX, y: window.scrollY,
    boxes: [...document.querySelectorAll(SCROLL_BOXES)].map((b) => [b.scrollLeft, b.scrollTop])};
  history.replaceState({...history.state, scroll}, '');
}

// The positions saved in the current entry, or null. Read before the page renders (rendering
// scrolls).
export function savedScroll() {
  return (history.state && history.state.scroll) || null;
}

export function restoreScroll(scroll) {
  window.scrollTo(scroll.x, scroll.y);
  document.querySelectorAll(SCROLL_BOXES).forEach((box, i) => {
    if (!scroll.boxes[i]) return;
    [box.scrollLeft, box.scrollTop] = scroll.boxes[i];
  });
}

// While a page renders and loads, its scrolling is the app's, not the person's: nothing is
// saved as it scrolls, so the positions Back brought stay until they are restored.
export function pauseScrollSaving(paused) {
  clearTimeout(saveTimer);
  savePaused = paused;
}

// Saves the positions a moment after each scroll (of the window or a box: scroll events do not
// bubble, so they are captured), into the entry whose page scrolled; and before a link leaves.
export function trackScroll() {
  history.scrollRestoration = 'manual';  // the browser would restore before the rows are in
  document.addEventListener('scroll', () => {
    if (savePaused) return;
    const at = location.hash;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (location.hash === at && !savePaused) saveScroll();
    }, 150);
  }, {capture: true, passive: true});
  document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('a[href^="#/"]')) saveScroll();
  }, {capture: true});
}
